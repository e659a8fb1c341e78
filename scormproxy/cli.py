"""`python -m scormproxy COMMAND`: the command line of DESIGN.md.

Each command lives in `scormproxy/commands/<name>.py` with `add_arguments(parser)`
and `run(args) -> int`. A command whose module is not there yet answers
"not yet available" with exit code 2.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "sandbox": "serve an Open eLMS-compatible sandbox for demos and tests",
    "serve": "serve the app on a development server",
    "mirror": "mirror packages from the configured Open eLMS site",
    "audit": "audit a package zip and print the report",
    "launch-url": "print a signed player URL for a learner",
    "worker": "deliver queued results to Open eLMS",
    "reconcile": "re-queue results Open eLMS is missing",
    "conformance": "replay run-time conformance fixtures in headless Chromium",
    "demo": "set up and run the embedded demo (make run)",
    "migrate": "bring the database schema up to date",
}


def _load(name: str):
    module_name = "scormproxy.commands." + name.replace("-", "_")
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return None


def build_parser() -> tuple[argparse.ArgumentParser, dict]:
    parser = argparse.ArgumentParser(prog="python -m scormproxy", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = {}
    for name, help_text in COMMANDS.items():
        module = _load(name)
        p = sub.add_parser(name, help=help_text + ("" if module else " (not yet available)"))
        if module is not None:
            module.add_arguments(p)
        else:
            p.add_argument("rest", nargs=argparse.REMAINDER)
        modules[name] = module
    return parser, modules


def main(argv: list[str] | None = None) -> int:
    parser, modules = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    module = modules[args.command]
    if module is None:
        print(f"{args.command}: not yet available", file=sys.stderr)
        return 2
    return int(module.run(args) or 0)
