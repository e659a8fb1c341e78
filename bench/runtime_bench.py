"""Run-time commits: commits/s, p50 and p99 for 50 concurrent learners on SQLite and PostgreSQL."""
from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

from . import fixtures, stack
from .common import LOAD_NOTE, BenchContext, BenchError, Figure, log, report
from .loadgen import LoadResult, RequestMaker, http_request, run_clients

SECTION = "runtime"
LEARNERS = 50
COMMITS_GOAL = 500.0  # commits (requests) per second on PostgreSQL
P99_GOAL_MS = 100.0   # p99 commit latency on PostgreSQL
SUSPEND_DATA_CHARS = 1200  # a typical authoring tool's bookmark blob; 1.2 allows 4,096


def run(ctx: BenchContext) -> list[Figure]:
    work = ctx.folder("runtime")
    packages = work / "packages"
    packages.mkdir()
    fixtures.small_package(packages / "course.zip", 1)
    figures: list[Figure] = []
    with ExitStack() as cleanup:
        sandbox, openelms_url = stack.start_sandbox(packages, ctx.logs, name="sandbox-runtime")
        cleanup.callback(sandbox.stop)
        for name in ("SQLite", "PostgreSQL"):
            try:
                with ExitStack() as per_database:
                    if name == "SQLite":
                        url = f"sqlite:///{work}/runtime.db"
                    else:
                        url = per_database.enter_context(stack.postgres_schema(ctx.postgres_url))
                    figures += _bench_database(ctx, name, url, openelms_url, work / name.lower())
            except BenchError as exc:
                log(f"runtime ({name}): FAILED: {exc}")
                figures.append(Figure(SECTION, f"{name}", "", error=str(exc).splitlines()[0], note=str(exc)))
    return figures


def _bench_database(ctx: BenchContext, name: str, database_url: str, openelms_url: str,
                    folder: Path) -> list[Figure]:
    config = stack.ServiceConfig(folder / "data", database_url, f"file://{folder}/storage", openelms_url)
    log(f"runtime ({name}): mirroring the course, starting gunicorn, launching {LEARNERS} learners")
    stack.mirror(config, ["1"], ctx.logs / f"mirror-runtime-{name.lower()}.log")
    server = stack.start_gunicorn(config, ctx.logs, name=f"gunicorn-runtime-{name.lower()}")
    try:
        server.wait_ready()
        with stack.http_session() as session:
            learners = [stack.open_learner_session(server.base, 1, f"learner-{n:02d}", session)
                        for n in range(LEARNERS)]
        host = f"127.0.0.1:{server.port}"
        committers = [_Committer(host, learner) for learner in learners]
        health = [_health_maker(host)] * LEARNERS
        commits: list[LoadResult] = []
        references: list[LoadResult] = []
        for number in range(ctx.runs):
            log(f"runtime ({name}): run {number + 1} of {ctx.runs}")
            references.append(run_clients("127.0.0.1", server.port, health, ctx.duration).check("GET /healthz"))
            commits.append(run_clients("127.0.0.1", server.port, committers, ctx.duration)
                           .check(f"commits on {name}"))
        _check_stored(server.base, committers)
    finally:
        server.stop()
    on_postgres = name == "PostgreSQL"
    note = f"{LEARNERS} learners, one keep-alive connection each, closed loop; {LOAD_NOTE}"
    return [
        report(Figure(SECTION, f"{name}: commits/s", "req/s", [r.per_second for r in commits],
                      [r.per_second for r in references], "GET /healthz, same server and clients",
                      goal=COMMITS_GOAL if on_postgres else None, goal_is_value=True, note=note)),
        report(Figure(SECTION, f"{name}: commit p50 latency", "ms", [r.percentile_ms(0.50) for r in commits],
                      [r.percentile_ms(0.50) for r in references], "GET /healthz, same server and clients",
                      higher_is_better=False, note=note)),
        report(Figure(SECTION, f"{name}: commit p99 latency", "ms", [r.percentile_ms(0.99) for r in commits],
                      [r.percentile_ms(0.99) for r in references], "GET /healthz, same server and clients",
                      higher_is_better=False, goal=P99_GOAL_MS if on_postgres else None, goal_is_value=True,
                      note=note)),
    ]


class _Committer:
    """One learner's player: commits with increasing seq and realistic SCORM 1.2 tracking data."""

    def __init__(self, host: str, learner: stack.LearnerSession):
        self.host = host
        self.learner = learner
        self.seq = 0
        self.path = f"/play/api/attempts/{learner.attempt_id}/items/{fixtures.SCO_ITEM}/commit"
        self.headers = {"Origin": f"http://{host}", "Cookie": f"{stack.COOKIE_NAME}={learner.cookie}",
                        "Content-Type": "application/json"}

    def __call__(self, _number: int) -> bytes:
        # seq outlives a run: every run continues the learner's sequence.
        self.seq += 1
        return http_request("POST", self.host, self.path, self.headers, json.dumps(commit_body(self.seq)).encode())


def commit_body(seq: int) -> dict:
    answers = "".join("abcd"[(seq + n) % 4] for n in range(40))
    suspend = json.dumps({"v": 3, "slide": seq % 40, "answers": answers, "visited": list(range(seq % 40)),
                          "pad": "x" * SUSPEND_DATA_CHARS})[:SUSPEND_DATA_CHARS]
    cmi = {
        "cmi.core.lesson_location": f"slide-{seq % 40}",
        "cmi.core.lesson_status": "incomplete",
        "cmi.core.score.raw": str(seq % 100), "cmi.core.score.min": "0", "cmi.core.score.max": "100",
        "cmi.core.session_time": f"00:{seq // 60 % 60:02d}:{seq % 60:02d}",
        "cmi.core.exit": "suspend",
        "cmi.suspend_data": suspend,
    }
    for n in range(3):
        cmi.update({f"cmi.interactions.{n}.id": f"q{n + 1}", f"cmi.interactions.{n}.type": "choice",
                    f"cmi.interactions.{n}.student_response": "abcd"[(seq + n) % 4],
                    f"cmi.interactions.{n}.result": "correct" if (seq + n) % 2 else "wrong"})
    return {"seq": seq, "cmi": cmi, "terminated": False}


def _health_maker(host: str) -> RequestMaker:
    request = http_request("GET", host, "/healthz", {})
    return lambda _number: request


def _check_stored(base: str, committers: list[_Committer]) -> None:
    """Each learner's stored sequence must be the last one sent: nothing lost, nothing reordered."""
    with stack.http_session() as session:
        for committer in committers:
            learner = committer.learner
            reply = stack.http("GET", f"{base}/play/api/attempts/{learner.attempt_id}/items/{fixtures.SCO_ITEM}/state",
                               headers={"Cookie": f"{stack.COOKIE_NAME}={learner.cookie}"}, session=session)
            if reply.status_code != 200:
                raise BenchError(f"state of {learner.user_id}: {reply.status_code} {reply.text[:300]}")
            stored = reply.json().get("seq")
            if stored != committer.seq:
                raise BenchError(f"{learner.user_id}: stored seq {stored}, last sent {committer.seq}")
