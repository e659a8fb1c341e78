"""Mirror: time and peak memory of `python -m scormproxy mirror` on a 200 MB / 2,000-file package, against unzip."""
from __future__ import annotations

import shutil
from contextlib import ExitStack

from . import fixtures, stack
from .common import BenchContext, BenchError, Figure, Measured, log, measure_command, median, report, settle_disk

SECTION = "mirror"
TIME_GOAL = 2.0  # mirror within 2x of unzip's wall time
NOTE = "local storage, SQLite; same machine, same disk; the zip comes from the sandbox over loopback"


def run(ctx: BenchContext) -> list[Figure]:
    work = ctx.folder("mirror")
    packages = work / "packages"
    packages.mkdir()
    total, count = (20 * fixtures.MiB, 200) if ctx.quick else (200 * fixtures.MiB, 2000)
    log(f"mirror: generating a {total // fixtures.MiB} MiB / {count}-file package")
    package = fixtures.large_package(packages / "large.zip", total_bytes=total, file_count=count)
    label = f"{total // fixtures.MiB} MiB / {count:,}-file package"
    with ExitStack() as cleanup:
        sandbox, openelms_url = stack.start_sandbox(packages, ctx.logs, name="sandbox-mirror")
        cleanup.callback(sandbox.stop)
        download_url = f"{openelms_url}/backend/learning/download/1"
        mirrors: list[Measured] = []
        unzips: list[Measured] = []
        downloads: list[Measured] = []
        for number in range(ctx.runs):
            log(f"mirror: run {number + 1} of {ctx.runs}")
            # Each timed command starts from a flushed disk, so none pays for the one before.
            settle_disk()
            unzips.append(_unzip(ctx, package.path, work / f"unzip-{number}"))
            settle_disk()
            downloads.append(_download(ctx, download_url, work / f"download-{number}.zip"))
            settle_disk()
            mirrors.append(_mirror(ctx, work / f"run-{number}", openelms_url))
        startup = _startup(ctx)
    return [
        report(Figure(SECTION, f"{label}: wall time", "s", [m.seconds for m in mirrors],
                      [u.seconds for u in unzips], "unzip -q", higher_is_better=False, goal=TIME_GOAL,
                      note=f"{NOTE}; interpreter start-up and imports alone take {startup.seconds:.1f} s")),
        report(Figure(SECTION, f"{label}: wall time against download + unzip", "s",
                      [m.seconds for m in mirrors],
                      [d.seconds + u.seconds for d, u in zip(downloads, unzips)], "curl download + unzip -q",
                      higher_is_better=False,
                      note=f"curl alone: {median([d.seconds for d in downloads]):.1f} s")),
        report(Figure(SECTION, f"{label}: peak memory, largest process (RSS)", "MB",
                      [m.max_rss_bytes / 1e6 for m in mirrors], [u.max_rss_bytes / 1e6 for u in unzips], "unzip -q",
                      higher_is_better=False,
                      note=f"of which interpreter and imports: {startup.max_rss_bytes / 1e6:.0f} MB")),
        report(Figure(SECTION, f"{label}: peak memory, all processes (PSS)", "MB",
                      [m.tree_pss_bytes / 1e6 for m in mirrors], [u.tree_pss_bytes / 1e6 for u in unzips],
                      "unzip -q", higher_is_better=False,
                      note="the mirror command and its audit worker together, sampled every 20 ms")),
    ]


def _unzip(ctx: BenchContext, zip_path, target) -> Measured:
    measured = measure_command([ctx.tools["unzip"], "-q", str(zip_path), "-d", str(target)],
                               log_path=ctx.logs / "unzip.log")
    shutil.rmtree(target, ignore_errors=True)
    if measured.returncode != 0:
        raise_from_log(ctx, "unzip", measured)
    return measured


def _download(ctx: BenchContext, url: str, target) -> Measured:
    measured = measure_command([ctx.tools["curl"], "-sS", "-f", "-o", str(target), "-H",
                                f"Authorization: Basic {stack.SANDBOX_TOKEN}", url],
                               log_path=ctx.logs / "curl-mirror.log")
    target.unlink(missing_ok=True)
    if measured.returncode != 0:
        raise_from_log(ctx, "curl-mirror", measured)
    return measured


def _mirror(ctx: BenchContext, data, openelms_url: str) -> Measured:
    # A fresh data folder, database and storage each run: every run mirrors everything.
    config = stack.ServiceConfig(data / "data", f"sqlite:///{data}/scormproxy.db", f"file://{data}/storage",
                                 openelms_url)
    stack.migrate(config, ctx.logs / "migrate.log")  # as a deployment's release step does, untimed
    measured = stack.mirror(config, ["1"], ctx.logs / "mirror-large.log")
    shutil.rmtree(data, ignore_errors=True)
    return measured


def _startup(ctx: BenchContext) -> Measured:
    """What the mirror command costs before it does anything: the interpreter and its imports."""
    return measure_command(stack.python_argv("-c", "import scormproxy.cli, scormproxy.services, scormproxy.mirror, "
                                                   "scormproxy.commands.mirror, storage"),
                           log_path=ctx.logs / "startup.log")


def raise_from_log(ctx: BenchContext, name: str, measured: Measured) -> None:
    tail = (ctx.logs / f"{name}.log").read_text(errors="replace")[-2000:]
    raise BenchError(f"{name} exited with {measured.returncode}:\n{tail}")
