"""`python -m bench` (make bench): every benchmark in turn, a summary table, and bench/results/latest.json."""
from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .common import LOAD_NOTE, BenchContext, BenchError, Figure, ensure_tools, fmt, log

BENCHMARKS = {
    "serving": "bench.serving",
    "mirror": "bench.mirror_bench",
    "runtime": "bench.runtime_bench",
    "catalogue": "bench.catalogue_bench",
}
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(BENCHMARKS), metavar="NAME",
                        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median is reported (default 3)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per wrk run (default 5)")
    parser.add_argument("--quick", action="store_true",
                        help="small packages, one short run: checks the harness, its figures mean nothing")
    parser.add_argument("--postgres", default=BenchContext.postgres_url, metavar="URL",
                        help="PostgreSQL server for the runtime benchmark (a private schema is created and dropped)")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="parent folder for the scratch files (default: the system temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (logs, data) afterwards")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"JSON results (default {RESULTS})")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.quick:
        args.runs, args.duration = 1, min(args.duration, 2.0)
    tools = ensure_tools()
    work = Path(tempfile.mkdtemp(prefix="scormproxy-bench-", dir=args.work_dir))
    work.chmod(0o755)  # nginx's workers (www-data) read files under it; nothing in it is secret
    logs = work / "logs"
    logs.mkdir()
    ctx = BenchContext(work=work, logs=logs, tools=tools, runs=args.runs, duration=args.duration,
                       quick=args.quick, postgres_url=args.postgres)
    log(f"scratch folder {work}; {os.cpu_count()} CPUs; {LOAD_NOTE}")
    started = time.time()
    figures: list[Figure] = []
    try:
        for name in args.only or list(BENCHMARKS):
            figures += _run_one(name, ctx)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    _print_summary(figures, time.time() - started)
    _write_json(args.output, figures, ctx, started)
    return 1 if any(f.error for f in figures) else 0


def _run_one(name: str, ctx: BenchContext) -> list[Figure]:
    log(f"{name}: starting")
    began = time.monotonic()
    module = importlib.import_module(BENCHMARKS[name])
    try:
        figures = module.run(ctx)
    except BenchError as exc:
        log(f"{name}: FAILED: {exc}")
        figures = [Figure(name, "benchmark", "", error=str(exc).splitlines()[0] if str(exc) else repr(exc),
                          note=str(exc))]
    log(f"{name}: done in {time.monotonic() - began:.0f} s")
    return figures


def _print_summary(figures: list[Figure], seconds: float) -> None:
    rows = [("figure", "median", "reference", "ratio", "goal", "")]
    for f in figures:
        if f.error:
            rows.append((f"{f.section} / {f.name}", "FAILED", "", "", "", f.error[:60]))
            continue
        ratio, goal = f.ratio_text(), f.goal_text()
        verdict = "" if f.met is None else ("met" if f.met else "NOT MET")
        rows.append((f"{f.section} / {f.name}", f"{fmt(f.subject_median)} {f.unit}",
                     f"{fmt(f.reference_median)} {f.unit}" if f.reference else "", ratio, goal, verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print()
    print(f"Summary (median of runs; {LOAD_NOTE}; {os.cpu_count()} CPUs; {seconds:.0f} s in all)")
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * width for width in widths))
    sys.stdout.flush()


def _write_json(path: Path, figures: list[Figure], ctx: BenchContext, started: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "note": LOAD_NOTE},
        "settings": {"runs": ctx.runs, "duration": ctx.duration, "quick": ctx.quick},
        "figures": [f.to_json() for f in figures],
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    log(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
