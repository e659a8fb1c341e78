"""The commit path's storage: one locking read and one write per commit, one commit of an attempt at a time."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, select

from scormproxy.db import Database
from scormproxy.errors import NotFound
from scormproxy.models import Attempt, OutboxRow, Package, PackageVersion, ScoState
from scormproxy.runtime.attempts import CommitPayload, StaleCommit, apply_commit, record_asset_launch
from scormproxy.runtime.course import Course, CourseItem
from scormproxy.runtime.limits import RuntimeLimits
from scormproxy.runtime.store import RuntimeStoreError

pytestmark = pytest.mark.db


def course(*scos: str, assets: tuple[str, ...] = ()) -> Course:
    items = [CourseItem(i, i, f"{i}.html", "sco", True) for i in scos]
    items += [CourseItem(i, i, f"{i}.html", "asset", True) for i in assets]
    return Course("1.2", "Course", items, None)


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    database.migrate()
    with database.session() as s:
        s.add(Package(learning_id=7, title="t", status="mirrored"))
        s.flush()
        s.add(PackageVersion(id="v1", learning_id=7, scorm_version="1.2", zip_sha256="0" * 64, manifest_json="{}"))
        s.flush()
        s.add(Attempt(id="att", user_id="u1", learning_id=7, version_id="v1"))
    yield database
    database.dispose()


def commit(db, the_course, seq, cmi, item="a", *, terminated=False, attempt="att"):
    payload = CommitPayload(seq=seq, cmi=cmi, terminated=terminated, nav_request=None, beacon=False)
    return apply_commit(db, attempt, item, the_course, payload, learner_id="u1", learner_name="U",
                        limits=RuntimeLimits())


def rows(db, model, **where):
    with db.session() as s:
        query = select(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return s.scalars(query).all()


def outbox(db):
    return [(r.action, r.score) for r in sorted(rows(db, OutboxRow, attempt_id="att"), key=lambda r: r.id)]


def test_first_commit_inserts_later_ones_update_the_same_row(db):
    one = course("a")
    commit(db, one, 1, {"cmi.core.lesson_location": "p1", "cmi.suspend_data": "s1"})
    commit(db, one, 2, {"cmi.core.lesson_location": "p2"})
    [state] = rows(db, ScoState, attempt_id="att")
    assert state.seq == 2 and state.session_open and state.sessions == 0
    assert '"cmi.core.lesson_location": "p2"' in state.cmi_json and '"cmi.suspend_data": "s1"' in state.cmi_json
    [attempt] = rows(db, Attempt, id="att")
    assert attempt.started and attempt.status == "in progress"
    assert outbox(db) == [("start", None)]


def test_a_stale_or_unknown_commit_changes_nothing(db):
    one = course("a")
    commit(db, one, 5, {"cmi.core.lesson_location": "p5"})
    with pytest.raises(StaleCommit):
        commit(db, one, 5, {"cmi.core.lesson_location": "old"})
    with pytest.raises(NotFound):
        commit(db, one, 6, {"cmi.core.lesson_location": "p6"}, attempt="nobody's")
    [state] = rows(db, ScoState, attempt_id="att")
    assert state.seq == 5 and "old" not in state.cmi_json


def test_the_course_result_reads_the_other_scos(db):
    two = course("a", "b")
    passed = {"cmi.core.lesson_status": "passed", "cmi.core.score.min": "0", "cmi.core.score.max": "100"}
    assert commit(db, two, 1, {**passed, "cmi.core.score.raw": "80"}, "a")["course"] == {
        "status": "in progress", "score": None}
    assert commit(db, two, 1, {**passed, "cmi.core.score.raw": "61"}, "b")["course"] == {
        "status": "completed", "score": 71}
    assert outbox(db) == [("start", None), ("complete", 71)]
    # The same result again is no new change.
    commit(db, two, 2, {"cmi.core.lesson_location": "end"}, "b")
    assert outbox(db) == [("start", None), ("complete", 71)]


def test_an_asset_completes_once_launched(db):
    mixed = course(assets=("x", "y"))
    record_asset_launch(db, "att", "x", mixed)
    record_asset_launch(db, "att", "x", mixed)
    assert rows(db, Attempt, id="att")[0].status == "in progress"
    record_asset_launch(db, "att", "y", mixed)
    assert rows(db, Attempt, id="att")[0].status == "completed"
    assert outbox(db) == [("start", None), ("complete", None)]
    assert len(rows(db, ScoState, attempt_id="att")) == 2


def test_a_steady_commit_is_one_read_and_one_write(db):
    """The budget that makes the commit path fast: a lock-and-read and an UPDATE, nothing more."""
    one = course("a")
    commit(db, one, 1, {"cmi.core.lesson_location": "p1"})
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE
            statements.append(statement.split(None, 1)[0].upper())

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        commit(db, one, 2, {"cmi.core.lesson_location": "p2"})
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert statements == ["SELECT", "UPDATE"]


def test_concurrent_commits_of_one_attempt_lose_nothing(db):
    """Commits race for one SCO and for a second SCO's first row: the newest always wins, one row per SCO,
    one start, no deadlock, and every refusal is a stale commit."""
    two = course("a", "b")
    threads, per_thread = 8, 12
    sent = {"a": [], "b": []}
    failures: list[BaseException] = []
    start = threading.Barrier(threads)

    def learner(offset: int):
        start.wait()
        for n in range(per_thread):
            seq = offset + 1 + n * threads
            item = "a" if n % 2 == 0 else "b"
            try:
                commit(db, two, seq, {"cmi.core.lesson_location": f"{item}-{seq}"}, item)
                sent[item].append(seq)
            except StaleCommit:
                pass
            except BaseException as exc:  # anything else is the failure under test
                failures.append(exc)

    workers = [threading.Thread(target=learner, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert not failures, failures
    states = {r.item_id: r for r in rows(db, ScoState, attempt_id="att")}
    assert sorted(states) == ["a", "b"]
    for item, state in states.items():
        assert state.seq == max(sent[item])
        assert f'"{item}-{state.seq}"' in state.cmi_json
    assert outbox(db) == [("start", None)]


def test_a_database_failure_is_reported_as_ours():
    # Nothing listens on port 1: the driver's error must not leave the store.
    db = Database("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    try:
        with pytest.raises(RuntimeStoreError) as raised:
            commit(db, course("a"), 1, {"cmi.core.lesson_location": "p1"})
        assert raised.value.http_status == 503
    finally:
        db.dispose()


def test_a_commit_waiting_for_the_attempt_holds_no_sco_row(db):
    """Lock order: the attempt, then the SCO row, on every path; a waiting commit that held the SCO
    row would deadlock against a writer that has the attempt and wants that row."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite takes one write lock for the database")
    from sqlalchemy import text

    from scormproxy.runtime import store

    commit(db, course("a"), 1, {"cmi.core.lesson_location": "p1"})
    holder = db.engine.connect()
    holder.begin()
    holder.execute(text("SELECT id FROM attempts WHERE id = 'att' FOR UPDATE"))
    locked: list = []

    def waiting_commit():
        with store.transaction(db) as connection:
            locked.append(store.lock_for_commit(connection, "att", "a"))

    waiter = threading.Thread(target=waiting_commit)
    waiter.start()
    try:
        waiter.join(0.5)
        assert waiter.is_alive() and not locked  # queued behind the attempt's lock
        holder.execute(text("SELECT id FROM sco_states WHERE attempt_id = 'att' FOR UPDATE NOWAIT"))
    finally:
        holder.rollback()
        holder.close()
        waiter.join(10)
    assert locked and locked[0][1].seq == 1
