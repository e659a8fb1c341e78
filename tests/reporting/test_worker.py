"""Durable reporting: the outbox worker against the sandbox over HTTP, outages and crashes."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import select

from scormproxy.models import Alarm, OutboxRow
from scormproxy.reporting.worker import OutboxWorker, pending_count
from scormproxy.services import get_services
from tests.conftest import REPO_ROOT
from tests.plugins.service import open_learner_session, serving

pytestmark = pytest.mark.db
QUIZ = "item-safety-quiz"


def _finish(learner, base, attempt, score, seq=1):
    body = {"seq": seq, "terminated": True, "cmi": {
        "cmi.core.lesson_status": "passed" if score >= 80 else "failed",
        "cmi.core.score.raw": str(score), "cmi.core.score.min": "0", "cmi.core.score.max": "100",
        "cmi.core.exit": ""}}
    return learner.post(f"{base}/play/api/attempts/{attempt}/items/{QUIZ}/commit", json=body, timeout=30)


def _worker(app, **overrides):
    services = app.extensions["scormproxy.services"]
    settings = app.config["SETTINGS"]
    client = services.client()
    return OutboxWorker(services.db, client, settings)


def _rows(app):
    with app.extensions["scormproxy.db"].session() as s:
        return s.scalars(select(OutboxRow).order_by(OutboxRow.id)).all()


def test_worker_delivers_in_order(mirrored_demo, sandbox):
    with serving(mirrored_demo) as base:
        learner, attempt = open_learner_session(base, mirrored_demo, "21", 1)
        assert _finish(learner, base, attempt, 90).status_code == 200
    counts = _worker(mirrored_demo).run_once()
    assert counts == {"delivered": 2}
    log = [(p["action"], p["score"]) for p in sandbox.progress_log() if str(p["user_id"]) == "21"]
    assert log == [("start", None), ("complete", 90)]
    trainee = sandbox.trainee(1, 21)
    assert trainee["status"] == "completed" and trainee["score"] == 90
    assert all(r.state == "delivered" for r in _rows(mirrored_demo))


def test_rejected_rows_are_parked_and_auth_failures_pause(mirrored_demo, sandbox):
    with serving(mirrored_demo) as base:
        learner, attempt = open_learner_session(base, mirrored_demo, "22", 1)
        _finish(learner, base, attempt, 50)
    worker = _worker(mirrored_demo)
    sandbox.inject("status", status=403, count=1)
    assert worker.run_once() == {"paused": 1}
    with mirrored_demo.extensions["scormproxy.db"].session() as s:
        assert s.get(Alarm, "upstream_auth").active
    rows = _rows(mirrored_demo)
    assert rows[0].state == "pending" and rows[0].tries == 0  # no retry burnt
    sandbox.inject("status", status=412, count=1)
    counts = worker.run_once(ignore_schedule=True)
    assert counts == {"parked": 1, "delivered": 1}
    rows = _rows(mirrored_demo)
    assert rows[0].state == "parked" and "412" in rows[0].last_error
    assert rows[1].state == "delivered"
    with mirrored_demo.extensions["scormproxy.db"].session() as s:
        assert not s.get(Alarm, "upstream_auth").active


def test_outage_drill(sandbox, make_service):
    """503s then dropped connections while 200 learners finish; nothing lost, nothing doubled."""
    app = make_service(sandbox=sandbox, upstream_retries=0, worker_backoff=0.05, worker_backoff_max=0.2)
    with app.app_context():
        assert get_services().mirror().mirror(1).ok
    sandbox.inject("status", status=503, retry_after=1, count=-1)
    stop = threading.Event()
    worker = _worker(app)
    failures = []
    with serving(app) as base:
        background = threading.Thread(target=worker.run_forever, args=(stop,), daemon=True)
        background.start()

        def learner_finishes(n):
            user = str(500 + n)
            learner, attempt = open_learner_session(base, app, user, 1)
            state = learner.get(f"{base}/play/api/attempts/{attempt}/items/{QUIZ}/state", timeout=30)
            response = _finish(learner, base, attempt, 60 + n % 41)
            if state.status_code != 200 or response.status_code != 200:
                failures.append((user, state.status_code, response.status_code))

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(learner_finishes, range(100)))
            sandbox.clear_faults()
            sandbox.inject("drop", count=-1)  # the outage turns into dropped connections
            list(pool.map(learner_finishes, range(100, 200)))
        assert failures == []  # no learner ever saw an error
        assert pending_count(app.extensions["scormproxy.db"]) == 400
        sandbox.clear_faults()  # Open eLMS is back
        deadline = time.monotonic() + 120
        while pending_count(app.extensions["scormproxy.db"]) and time.monotonic() < deadline:
            time.sleep(0.2)
        stop.set()
        background.join(timeout=30)
    assert pending_count(app.extensions["scormproxy.db"]) == 0
    log = sandbox.progress_log()
    for n in range(200):
        user, score = 500 + n, 60 + n % 41
        trainee = sandbox.trainee(1, user)
        assert trainee["status"] == ("completed" if score >= 80 else "failed"), user
        assert trainee["score"] == score
        mine = [(p["action"], p["score"]) for p in log if int(p["user_id"]) == user]
        final = "complete" if score >= 80 else "fail"
        assert mine == [("start", None), (final, score)], (user, mine)


def test_crash_between_send_and_record(mirrored_demo, sandbox, database_url, tmp_path):
    with serving(mirrored_demo) as base:
        learner, attempt = open_learner_session(base, mirrored_demo, "23", 1)
        _finish(learner, base, attempt, 95)
    complete = [r for r in _rows(mirrored_demo) if r.action == "complete"][0]
    env = dict(os.environ, OPENELMS_URL=sandbox.site_url, OPENELMS_TOKEN=sandbox.token,
               DATABASE_URL=database_url, SCORMPROXY_DATA_DIR=str(tmp_path / "data"),
               SCORMPROXY_LOG_LEVEL="WARNING", SCORMPROXY_WORKER_POLL_INTERVAL="0.05")
    # Open eLMS records the complete, then takes 30 s to answer: the worker is killed meanwhile.
    sandbox.inject("hang_after", delay=30, count=1, path="/learning/1/23/complete")
    proc = subprocess.Popen([sys.executable, "-m", "scormproxy", "worker"], env=env, cwd=REPO_ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def sent():
        return [p for p in sandbox.progress_log() if p["action"] == "complete"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not sent():
        time.sleep(0.02)
    assert sent(), "the worker never sent the result"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    with mirrored_demo.extensions["scormproxy.db"].session() as s:
        assert s.get(OutboxRow, complete.id).state == "pending"  # sent, never recorded
    sandbox.clear_faults()
    again = subprocess.run([sys.executable, "-m", "scormproxy", "worker", "--once"], env=env, cwd=REPO_ROOT,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    with mirrored_demo.extensions["scormproxy.db"].session() as s:
        assert s.get(OutboxRow, complete.id).state == "delivered"
    trainee = sandbox.trainee(1, 23)  # upstream holds the result once: one completed record
    assert trainee["status"] == "completed" and trainee["score"] == 95
    assert len(sent()) == 2  # at-least-once: the repeat of the same PUT is harmless


def test_reconcile_requeues_what_upstream_lost(mirrored_demo, sandbox):
    from scormproxy.reporting.reconcile import reconcile

    with serving(mirrored_demo) as base:
        learner, attempt = open_learner_session(base, mirrored_demo, "24", 1)
        _finish(learner, base, attempt, 88)
        keeper, kept = open_learner_session(base, mirrored_demo, "25", 1)
        _finish(keeper, base, kept, 70)
    worker = _worker(mirrored_demo)
    assert worker.run_once() == {"delivered": 4}
    db = mirrored_demo.extensions["scormproxy.db"]
    client = mirrored_demo.extensions["scormproxy.services"].client()
    assert reconcile(db, client).requeued == []
    # Open eLMS loses learner 24's result (a restore from backup, say): only it is re-queued.
    sandbox.reset()
    client.report_progress(1, 25, "fail", 70)
    report = reconcile(db, client)
    assert report.requeued == [("24", 1, "complete")]
    assert worker.run_once() == {"delivered": 2}
    assert sandbox.trainee(1, 24)["status"] == "completed" and sandbox.trainee(1, 24)["score"] == 88


def test_launch_can_assign_the_learning_upstream(sandbox, make_service):
    app = make_service(sandbox=sandbox, launch_assigns_upstream=True)
    with app.app_context():
        assert get_services().mirror().mirror(2).ok
    with serving(app) as base:
        open_learner_session(base, app, "26", 2)
        open_learner_session(base, app, "26", 2)  # the same attempt: assigned once
    assert sandbox.trainee(2, 26) is None
    assert _worker(app).run_once() == {"delivered": 1}
    assert sandbox.trainee(2, 26)["status"] == "not attempted"
    assigns = [r for r in sandbox.requests_seen() if r["method"] == "PUT" and "/assign/" in r["path"]]
    assert len(assigns) == 1


def test_admin_sees_parked_rows_and_alarms_and_retries(mirrored_demo, sandbox, admin_headers):
    with serving(mirrored_demo) as base:
        learner, attempt = open_learner_session(base, mirrored_demo, "27", 1)
        _finish(learner, base, attempt, 81)
        worker = _worker(mirrored_demo)
        sandbox.inject("status", status=401, count=1)
        worker.run_once()
        alarms = requests.get(f"{base}/api/alarms", headers=admin_headers, timeout=10).json()
        assert [a["name"] for a in alarms] == ["upstream_auth"]
        sandbox.inject("status", status=400, count=1)
        worker.run_once(ignore_schedule=True)
        parked = requests.get(f"{base}/api/outbox?state=parked", headers=admin_headers, timeout=10).json()
        assert parked["counts"] == {"pending": 0, "delivered": 1, "parked": 1}
        row = parked["rows"][0]
        assert row["action"] == "start" and "400" in row["last_error"]
        assert requests.get(f"{base}/api/outbox", timeout=10).status_code == 401
        retried = requests.post(f"{base}/api/outbox/{row['id']}/retry", headers=admin_headers, timeout=10)
        assert retried.status_code == 200 and retried.json()["state"] == "pending"
        again = requests.post(f"{base}/api/outbox/{row['id']}/retry", headers=admin_headers, timeout=10)
        assert again.status_code == 400
        assert requests.get(f"{base}/api/alarms", headers=admin_headers, timeout=10).json() == []
    assert worker.run_once() == {"delivered": 1}
