"""`mirror ID... | --all`: mirror packages from the configured Open eLMS site."""
from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor, as_completed


def add_arguments(parser) -> None:
    parser.add_argument("ids", nargs="*", type=int, metavar="ID", help="learning ids to mirror")
    parser.add_argument("--all", action="store_true", help="mirror the whole catalogue")
    parser.add_argument("--container", action="store_true", help="mirror the container zip instead")
    parser.add_argument("--concurrency", type=int, default=None, help="packages at once (default setting)")


def run(args) -> int:
    from ..services import services_from_env
    from ..upstream import UpstreamError

    if bool(args.ids) == bool(args.all):
        print("mirror: give learning ids or --all (not both)", file=sys.stderr)
        return 2
    services = services_from_env()
    if not services.settings.openelms_url:
        print("mirror: set OPENELMS_URL and OPENELMS_TOKEN", file=sys.stderr)
        return 2
    ids = list(args.ids)
    if args.all:
        try:
            ids = [int(r.id) for r in services.client().list_learning()]
        except UpstreamError as exc:
            print(f"mirror: cannot list the catalogue: {exc}", file=sys.stderr)
            return 1
    mirror = services.mirror()
    concurrency = max(1, args.concurrency or services.settings.mirror_concurrency)
    outcomes = []
    progress = _progress(len(ids))
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = {pool.submit(mirror.mirror, i, container=args.container): i for i in ids}
        for future in as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            progress(outcome)
    failed = [o for o in outcomes if not o.ok]
    changed = sum(1 for o in outcomes if o.ok and not o.unchanged)
    unchanged = sum(1 for o in outcomes if o.ok and o.unchanged)
    print(f"mirror: {len(outcomes)} packages, {changed} new versions, {unchanged} unchanged, "
          f"{len(failed)} failed")
    return 1 if failed else 0


def _progress(total: int):
    """A progress bar on a terminal, one plain line per package otherwise."""
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=total, unit="pkg", file=sys.stderr)

        def update(outcome):
            bar.update(1)
            if not outcome.ok:
                bar.write(f"failed {outcome.learning_id}: {outcome.error}")
        return update

    done = [0]

    def line(outcome):
        done[0] += 1
        state = "ok" if outcome.ok else f"FAILED ({outcome.error_code}): {outcome.error}"
        if outcome.ok:
            state += " unchanged" if outcome.unchanged else f" version {outcome.version}"
        print(f"[{done[0]}/{total}] learning {outcome.learning_id}: {state}", file=sys.stderr, flush=True)
    return line
