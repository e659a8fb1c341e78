"""Catalogue mirror: `mirror --all` over 200 small packages with the configured concurrency, against
downloading the same 200 zips one after another with curl."""
from __future__ import annotations

import shutil
from contextlib import ExitStack

from . import fixtures, stack
from .common import LOAD_NOTE, BenchContext, BenchError, Figure, Measured, log, measure_command, report

SECTION = "catalogue"
PACKAGES = 200


def configured_concurrency() -> int:
    """What `mirror --all` will use: the service's own setting, read the way the service reads it."""
    from scormproxy.config import Settings

    return Settings.from_env().mirror_concurrency


def run(ctx: BenchContext) -> list[Figure]:
    work = ctx.folder("catalogue")
    packages = work / "packages"
    packages.mkdir()
    count = 20 if ctx.quick else PACKAGES
    log(f"catalogue: generating {count} small packages")
    generated = [fixtures.small_package(packages / f"course-{number:03d}.zip", number)
                 for number in range(1, count + 1)]
    zip_kb = sum(p.path.stat().st_size for p in generated) / len(generated) / 1000
    concurrency = configured_concurrency()
    mirrors: list[Measured] = []
    downloads: list[Measured] = []
    with ExitStack() as cleanup:
        sandbox, openelms_url = stack.start_sandbox(packages, ctx.logs, name="sandbox-catalogue")
        cleanup.callback(sandbox.stop)
        for number in range(ctx.runs):
            log(f"catalogue: run {number + 1} of {ctx.runs}")
            downloads.append(_download_all(ctx, openelms_url, count, work / f"downloads-{number}"))
            mirrors.append(_mirror_all(ctx, openelms_url, work / f"run-{number}", count))
    note = (f"zips of {zip_kb:.0f} KB, {len(generated[0].files) + 1} files each; concurrency {concurrency} "
            f"(SCORMPROXY_MIRROR_CONCURRENCY); local storage, SQLite; {LOAD_NOTE}")
    return [
        report(Figure(SECTION, f"{count} packages: wall time", "s", [m.seconds for m in mirrors],
                      [d.seconds for d in downloads], "curl, sequential downloads", higher_is_better=False,
                      note=note)),
        report(Figure(SECTION, f"{count} packages: packages/s", "pkg/s", [count / m.seconds for m in mirrors],
                      [count / d.seconds for d in downloads], "curl, sequential downloads", note=note)),
    ]


def _download_all(ctx: BenchContext, openelms_url: str, count: int, folder) -> Measured:
    """One curl process, one connection, every zip in turn: the floor for fetching the catalogue."""
    folder.mkdir()
    argv = [ctx.tools["curl"], "-sS", "-f", "-H", f"Authorization: Basic {stack.SANDBOX_TOKEN}"]
    for learning_id in range(1, count + 1):
        argv += ["-o", str(folder / f"{learning_id}.zip"), f"{openelms_url}/backend/learning/download/{learning_id}"]
    measured = measure_command(argv, log_path=ctx.logs / "curl-catalogue.log")
    fetched = len(list(folder.glob("*.zip")))
    shutil.rmtree(folder, ignore_errors=True)
    if measured.returncode != 0 or fetched != count:
        raise BenchError(f"curl fetched {fetched} of {count} zips (exit {measured.returncode}); "
                         f"see {ctx.logs / 'curl-catalogue.log'}")
    return measured


def _mirror_all(ctx: BenchContext, openelms_url: str, folder, count: int) -> Measured:
    config = stack.ServiceConfig(folder / "data", f"sqlite:///{folder}/scormproxy.db", f"file://{folder}/storage",
                                 openelms_url)
    stack.migrate(config, ctx.logs / "migrate.log")  # the release step, untimed
    measured = stack.mirror(config, ["--all"], ctx.logs / "mirror-catalogue.log")
    summary = (ctx.logs / "mirror-catalogue.log").read_text(errors="replace").strip().splitlines()[-1]
    if not summary.startswith(f"mirror: {count} packages, {count} new versions"):
        raise BenchError(f"mirror --all did not mirror all {count} packages: {summary}")
    shutil.rmtree(folder, ignore_errors=True)
    return measured
