"""Content serving: a 70 KB asset and a 20 MB video through the service, against nginx serving the same files."""
from __future__ import annotations

import hashlib
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass

from . import fixtures, stack
from .common import LOAD_NOTE, BenchContext, BenchError, Figure, free_port, log, open_up, report
from .wrk import WrkResult, WrkSettings, run_wrk

SECTION = "serving"
ACCEL_PREFIX = "/_protected"
S3_BUCKET = "bench-content"
ASSET_GOAL = 0.07  # standalone, session check on: share of nginx's requests/s
VIDEO_GOAL = 0.80  # standalone: share of nginx's MB/s
ACCEL_GOAL = 0.50  # behind nginx with X-Accel-Redirect: share of nginx-alone's requests/s
SMALL_LOAD = WrkSettings(threads=2, connections=32)
LARGE_LOAD = WrkSettings(threads=2, connections=8)


@dataclass
class Target:
    """One way of serving the files: a base URL, the path prefix of the files, and the cookie it needs."""
    name: str
    base: str
    prefix: str
    cookie: str | None = None

    def url(self, path: str) -> str:
        return f"{self.base}{self.prefix}{path}"

    def headers(self) -> dict[str, str]:
        return {"Cookie": f"{stack.COOKIE_NAME}={self.cookie}"} if self.cookie else {}


def run(ctx: BenchContext) -> list[Figure]:
    with ExitStack() as cleanup:
        targets, files = _set_up(ctx, cleanup)
        return _measure(ctx, targets, files)


def _set_up(ctx: BenchContext, cleanup: ExitStack) -> tuple[list[Target], dict[str, bytes]]:
    work = ctx.folder("serving")
    packages = work / "packages"
    packages.mkdir()
    video_bytes = (2 if ctx.quick else 20) * fixtures.MiB
    package = fixtures.serving_package(packages / "serving.zip", video_bytes=video_bytes)
    sandbox, openelms_url = stack.start_sandbox(packages, ctx.logs)
    cleanup.callback(sandbox.stop)
    moto, s3_endpoint = stack.start_moto(ctx.logs, S3_BUCKET)
    cleanup.callback(moto.stop)

    local = stack.ServiceConfig(work / "local-data", f"sqlite:///{work}/local.db",
                                f"file://{work}/local-storage", openelms_url)
    s3 = stack.ServiceConfig(work / "s3-data", f"sqlite:///{work}/s3.db", f"s3://{S3_BUCKET}/content",
                             openelms_url, s3_endpoint)
    for name, config in (("local", local), ("s3", s3)):
        log(f"serving: mirroring the package into {name} storage")
        stack.mirror(config, ["1"], ctx.logs / f"mirror-serving-{name}.log")
    sandbox.stop()

    accel = stack.ServiceConfig(local.data_dir, local.database_url, local.storage_url,
                                extra={"SCORMPROXY_CONTENT_ACCEL_PREFIX": ACCEL_PREFIX})
    servers = {}
    for name, config in (("local", local), ("s3", s3), ("accel", accel)):
        server = stack.start_gunicorn(config, ctx.logs, name=f"gunicorn-{name}")
        cleanup.callback(server.stop)
        servers[name] = server
    servers = {name: server.wait_ready().base for name, server in servers.items()}
    version = stack.current_version(servers["local"], 1)

    with zipfile.ZipFile(package.path) as archive:
        files = {path: archive.read(path) for path in (fixtures.SERVING_ASSET, fixtures.SERVING_VIDEO)}
    www = work / "www"
    for path, data in files.items():
        (www / path).parent.mkdir(parents=True, exist_ok=True)
        (www / path).write_bytes(data)
    open_up(work)  # nginx's workers must read both the reference files and the storage root
    nginx_port, accel_port = free_port(), free_port()
    nginx = stack.start_nginx(ctx.tools["nginx"], work / "nginx", ctx.logs, [
        stack.STATIC_SERVER.format(port=nginx_port, root=www),
        stack.ACCEL_SERVER.format(port=accel_port, upstream=servers["accel"].removeprefix("http://"),
                                  storage_root=f"{work}/local-storage", cache_dir=work / "nginx" / "auth-cache"),
    ])
    cleanup.callback(nginx.stop)
    nginx.wait_for_port(nginx_port)
    nginx.wait_for_port(accel_port)

    content = f"/content/1/{version}/"
    targets = [Target("nginx", f"http://127.0.0.1:{nginx_port}", "/")]
    for name, base in (("local", servers["local"]), ("s3", servers["s3"]),
                       ("accel", f"http://127.0.0.1:{accel_port}")):
        session = stack.open_learner_session(base, 1)
        targets.append(Target(name, base, content, session.cookie))
    for target in targets:
        _check_serves(target, files)  # also warms the S3 read-through cache
    return targets, files


def _check_serves(target: Target, files: dict[str, bytes]) -> None:
    """One real GET per file, compared byte for byte, before any load is counted."""
    for path, data in files.items():
        reply = stack.http("GET", target.url(path), headers=target.headers(), timeout=60)
        if reply.status_code != 200:
            raise BenchError(f"{target.name}: GET {target.url(path)} answered {reply.status_code}: "
                             f"{reply.text[:300]}")
        if hashlib.sha256(reply.content).digest() != hashlib.sha256(data).digest():
            raise BenchError(f"{target.name}: {path} came back different ({len(reply.content)} bytes, "
                             f"expected {len(data)})")


def _measure(ctx: BenchContext, targets: list[Target], files: dict[str, bytes]) -> list[Figure]:
    small = _scaled(SMALL_LOAD, ctx)
    large = _scaled(LARGE_LOAD, ctx)
    asset, video = fixtures.SERVING_ASSET, fixtures.SERVING_VIDEO
    results: dict[tuple[str, str], list[WrkResult]] = {}
    for run_number in range(ctx.runs):
        log(f"serving: run {run_number + 1} of {ctx.runs}")
        # Reference and subjects interleaved within each run, so drift in the machine hits them alike.
        for path, load in ((asset, small), (video, large)):
            for target in targets:
                result = run_wrk(ctx.tools["wrk"], target.url(path), load, headers=target.headers(),
                                 min_body_bytes=len(files[path]))
                results.setdefault((target.name, path), []).append(result)
    return _figures(results, small, large, video_mb=len(files[video]) // fixtures.MiB)


def _scaled(load: WrkSettings, ctx: BenchContext) -> WrkSettings:
    return WrkSettings(load.threads, load.connections, ctx.duration, load.timeout)


def _figures(results, small: WrkSettings, large: WrkSettings, *, video_mb: int) -> list[Figure]:
    asset, video = fixtures.SERVING_ASSET, fixtures.SERVING_VIDEO
    labels = {"local": "standalone, local storage", "s3": "standalone, S3 + warm cache",
              "accel": "behind nginx, X-Accel-Redirect, local storage"}
    rps_goals = {"local": ASSET_GOAL, "s3": ASSET_GOAL, "accel": ACCEL_GOAL}
    video_goals = {"local": VIDEO_GOAL, "s3": VIDEO_GOAL, "accel": None}
    small_note = f"wrk -t{small.threads} -c{small.connections}; {LOAD_NOTE}"
    large_note = f"wrk -t{large.threads} -c{large.connections}; {LOAD_NOTE}"
    # One learner asking for one URL over and over is the best case of nginx's cache of the
    # app's authorisations; a browser keeps `immutable` files and asks once.
    accel_note = "; nginx reuses the app's authorisation per cookie and URL (X-Accel-Expires)"
    figures = []
    for name, label in labels.items():
        extra = accel_note if name == "accel" else ""
        figures.append(report(Figure(
            SECTION, f"70 KB asset, {label}: requests/s", "req/s",
            [r.requests_per_second for r in results[(name, asset)]],
            [r.requests_per_second for r in results[("nginx", asset)]], "nginx from disk",
            goal=rps_goals[name], note=small_note + extra)))
        figures.append(report(Figure(
            SECTION, f"70 KB asset, {label}: p99 latency", "ms",
            [r.p99_ms for r in results[(name, asset)]], [r.p99_ms for r in results[("nginx", asset)]],
            "nginx from disk", higher_is_better=False, note=small_note + extra)))
        figures.append(report(Figure(
            SECTION, f"{video_mb} MB video, {label}: throughput", "MB/s",
            [r.megabytes_per_second for r in results[(name, video)]],
            [r.megabytes_per_second for r in results[("nginx", video)]], "nginx from disk",
            goal=video_goals[name], note=large_note + extra)))
    return figures

