"""wrk runs: one Lua script that reports the summary as JSON, parsing, and the status checks before counting."""
from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Mapping

from .common import BenchError

# wrk counts a response with a status above 399 in errors.status; every error kind is reported
# so a run that was mostly failures cannot pass for a fast one.
SUMMARY_SCRIPT = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_SUMMARY {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, ' ..
    '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, ' ..
    '"p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""
MARKER = "WRK_SUMMARY "
# A run with more failed requests than this fraction is not a measurement.
MAX_ERROR_SHARE = 0.001


@dataclass(frozen=True)
class WrkSettings:
    threads: int = 2
    connections: int = 32
    duration: float = 5.0
    timeout: float = 10.0


@dataclass
class WrkResult:
    requests: int
    seconds: float
    bytes: int
    errors: int
    status_errors: int
    p50_ms: float
    p99_ms: float

    @property
    def requests_per_second(self) -> float:
        """Answered requests only: failed ones are never counted as served."""
        return (self.requests - self.errors) / self.seconds

    @property
    def megabytes_per_second(self) -> float:
        return self.bytes / self.seconds / 1e6

    @property
    def bytes_per_response(self) -> float:
        return self.bytes / self.requests if self.requests else 0.0


def parse_summary(output: str) -> WrkResult:
    for line in output.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER):])
            break
    else:
        raise BenchError(f"wrk printed no summary:\n{output[-2000:]}")
    errors = sum(data[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
    return WrkResult(requests=data["requests"], seconds=data["duration_us"] / 1e6, bytes=data["bytes"],
                     errors=errors, status_errors=data["status_errors"], p50_ms=data["p50_us"] / 1000,
                     p99_ms=data["p99_us"] / 1000)


def run_wrk(wrk: str, url: str, settings: WrkSettings, *, headers: Mapping[str, str] | None = None,
            min_body_bytes: int = 0) -> WrkResult:
    """Load `url`; refuse the result when responses failed or were shorter than `min_body_bytes`
    on average (a 403 or a redirect is fast, and must not be counted as a served file)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="bench-wrk-") as script:
        script.write(SUMMARY_SCRIPT)
        script.flush()
        # wrk takes whole seconds only.
        argv = [wrk, f"-t{settings.threads}", f"-c{settings.connections}", f"-d{max(1, round(settings.duration))}s",
                f"--timeout={max(1, round(settings.timeout))}s", "-s", script.name]
        for name, value in (headers or {}).items():
            argv += ["-H", f"{name}: {value}"]
        argv.append(url)
        try:
            done = subprocess.run(argv, capture_output=True, text=True,
                                  timeout=settings.duration + settings.timeout + 30)
        except subprocess.TimeoutExpired:
            raise BenchError(f"wrk against {url} did not finish in time") from None
    if done.returncode != 0:
        raise BenchError(f"wrk exited with {done.returncode}: {(done.stderr or done.stdout)[-1000:]}")
    result = parse_summary(done.stdout)
    if result.requests == 0:
        raise BenchError(f"wrk completed no request against {url}")
    if result.errors > MAX_ERROR_SHARE * result.requests:
        raise BenchError(f"{result.errors} of {result.requests} requests to {url} failed "
                         f"({result.status_errors} with an HTTP status >= 400)")
    if result.bytes_per_response < min_body_bytes:
        raise BenchError(f"responses from {url} averaged {result.bytes_per_response:.0f} bytes, "
                         f"less than the {min_body_bytes}-byte file: not the file")
    return result
