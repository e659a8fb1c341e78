"""The benchmark harness: status checks before counting, parsing, measured commands, generated packages."""
from __future__ import annotations

import sys
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import fixtures
from bench.common import BenchError, Figure, ensure_tools, measure_command
from bench.loadgen import http_request, run_clients
from bench.wrk import WrkSettings, parse_summary, run_wrk


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    status = 200
    body = b"x" * 1000

    def do_GET(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(self.server.status)
        self.send_header("Content-Length", str(len(self.server.body)))
        self.end_headers()
        self.wfile.write(self.server.body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.status, server.body = 200, b"x" * 1000
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_parse_summary_counts_every_error_kind():
    out = ('Running 1s test\nWRK_SUMMARY {"requests": 1000, "duration_us": 2000000, "bytes": 5000, '
           '"connect_errors": 1, "read_errors": 2, "write_errors": 3, "status_errors": 4, "timeouts": 5, '
           '"p50_us": 1500, "p99_us": 9000, "max_us": 12000}\n')
    result = parse_summary(out)
    assert result.errors == 15 and result.status_errors == 4
    assert result.requests_per_second == pytest.approx(492.5)
    assert result.p99_ms == 9.0


def test_parse_summary_refuses_output_without_summary():
    with pytest.raises(BenchError):
        parse_summary("wrk: connection refused\n")


LOAD = WrkSettings(threads=1, connections=2, duration=1)


def test_wrk_counts_a_served_file(http_server):
    wrk = ensure_tools(["wrk"])["wrk"]
    result = run_wrk(wrk, f"http://127.0.0.1:{http_server.server_port}/f", LOAD, min_body_bytes=1000)
    assert result.requests > 0 and result.errors == 0


def test_wrk_refuses_forbidden_answers(http_server):
    http_server.status = 403
    wrk = ensure_tools(["wrk"])["wrk"]
    with pytest.raises(BenchError, match="HTTP status"):
        run_wrk(wrk, f"http://127.0.0.1:{http_server.server_port}/f", LOAD)


def test_wrk_refuses_bodies_shorter_than_the_file(http_server):
    wrk = ensure_tools(["wrk"])["wrk"]
    with pytest.raises(BenchError, match="not the file"):
        run_wrk(wrk, f"http://127.0.0.1:{http_server.server_port}/f", LOAD, min_body_bytes=70_000)


def test_loadgen_keeps_each_client_in_order_and_checks_statuses(http_server):
    port = http_server.server_port
    sent = []

    def maker(number):
        sent.append(number)
        return http_request("POST", f"127.0.0.1:{port}", "/c", {"Origin": "x"}, b"{}")

    result = run_clients("127.0.0.1", port, [maker], 0.3).check("posts")
    assert result.ok == len(sent) and sent == list(range(1, len(sent) + 1))
    http_server.status = 409
    with pytest.raises(BenchError, match="409"):
        run_clients("127.0.0.1", port, [maker], 0.2).check("posts")


def test_measure_command_reports_the_childs_own_peak_memory(tmp_path):
    ensure_tools(["time"])
    small = measure_command([sys.executable, "-c", "pass"], log_path=tmp_path / "a.log")
    big = measure_command([sys.executable, "-c", "b = bytearray(200_000_000); b[::4096] = b'x' * len(b[::4096])"],
                          log_path=tmp_path / "b.log")
    failed = measure_command([sys.executable, "-c", "raise SystemExit(3)"], log_path=tmp_path / "c.log")
    assert big.max_rss_bytes - small.max_rss_bytes > 150_000_000
    assert small.max_rss_bytes < 100_000_000
    assert failed.returncode == 3 and small.returncode == 0


@pytest.mark.parametrize("subject, reference, higher, goal, met", [
    ([80, 100, 90], [1000, 1000, 1000], True, 0.07, True),
    ([50, 60, 70], [1000, 1000, 1000], True, 0.07, False),
    ([3.0, 5.0, 4.0], [2.0, 2.0, 2.0], False, 2.0, True),
    ([5.0, 5.0, 4.5], [2.0, 2.0, 2.0], False, 2.0, False),
])
def test_figure_goal_is_on_the_ratio_of_medians(subject, reference, higher, goal, met):
    figure = Figure("s", "n", "u", subject, reference, "ref", higher_is_better=higher, goal=goal)
    assert figure.met is met


def test_figure_absolute_goal():
    assert Figure("s", "n", "ms", [90, 120, 95], goal=100, goal_is_value=True, higher_is_better=False).met
    assert not Figure("s", "n", "req/s", [400, 450], goal=500, goal_is_value=True).met


def test_generated_serving_package_parses_as_scorm_12(tmp_path):
    from scormproxy.packages import ZipLimits, inspect_package

    package = fixtures.serving_package(tmp_path / "p.zip", asset_bytes=70 * 1024, video_bytes=1024)
    inspected = inspect_package(package.path, ZipLimits())
    assert inspected.manifest.version == "1.2"
    with zipfile.ZipFile(package.path) as archive:
        assert archive.getinfo(fixtures.SERVING_ASSET).file_size == 70 * 1024


def test_large_package_has_the_asked_file_count_and_size(tmp_path):
    package = fixtures.large_package(tmp_path / "l.zip", total_bytes=2 * fixtures.MiB, file_count=40)
    with zipfile.ZipFile(package.path) as archive:
        assert len(archive.infolist()) == 40
    assert abs(package.total_bytes - 2 * fixtures.MiB) < 0.02 * 2 * fixtures.MiB
