"""The run-time API as learners' browsers use it: state, commits, isolation, results, content."""
from __future__ import annotations

import json

import pytest
import requests
from sqlalchemy import select

from scormproxy.models import Attempt, OutboxRow, ScoState
from tests.plugins.service import open_learner_session, serving

pytestmark = pytest.mark.db
QUIZ = "item-safety-quiz"


def _url(base, attempt, item=QUIZ, what="commit"):
    return f"{base}/play/api/attempts/{attempt}/items/{item}/{what}"


def _rows(app, model, **where):
    with app.extensions["scormproxy.db"].session() as s:
        query = select(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return s.scalars(query).all()


def test_state_seeds_the_learner_and_commits_resume(mirrored_demo):
    with serving(mirrored_demo) as base:
        learner, attempt = open_learner_session(base, mirrored_demo, "11", 1)
        state = learner.get(_url(base, attempt, what="state"), timeout=10).json()
        assert state["seq"] == 0
        assert state["cmi"]["cmi.core.student_id"] == "11"
        assert state["cmi"]["cmi.core.entry"] == "ab-initio"
        assert state["cmi"]["cmi.student_data.mastery_score"] == "80"
        body = {"seq": 1, "terminated": True, "cmi": {
            "cmi.core.lesson_location": "q3", "cmi.suspend_data": "answers=a,b",
            "cmi.core.lesson_status": "incomplete", "cmi.core.exit": "suspend",
            "cmi.core.session_time": "00:01:30"}}
        saved = learner.post(_url(base, attempt), json=body, timeout=10)
        assert saved.status_code == 200, saved.text
        again = learner.get(_url(base, attempt, what="state"), timeout=10).json()
        assert again["seq"] == 1
        assert again["cmi"]["cmi.core.entry"] == "resume"
        assert again["cmi"]["cmi.core.lesson_location"] == "q3"
        assert again["cmi"]["cmi.suspend_data"] == "answers=a,b"
        assert again["cmi"]["cmi.core.total_time"].startswith("0000:01:30")


def test_completion_with_score_queues_start_then_complete(mirrored_demo):
    with serving(mirrored_demo) as base:
        learner, attempt = open_learner_session(base, mirrored_demo, "12", 1)
        body = {"seq": 1, "terminated": True, "cmi": {
            "cmi.core.lesson_status": "passed", "cmi.core.score.raw": "85",
            "cmi.core.score.min": "0", "cmi.core.score.max": "100", "cmi.core.exit": ""}}
        result = learner.post(_url(base, attempt), json=body, timeout=10).json()
        assert result["course"] == {"status": "completed", "score": 85}
        rows = _rows(mirrored_demo, OutboxRow, attempt_id=attempt)
        assert [(r.action, r.score) for r in sorted(rows, key=lambda r: r.id)] == [("start", None), ("complete", 85)]
        # the same result again is no new change
        body["seq"] = 2
        learner.post(_url(base, attempt), json=body, timeout=10)
        assert len(_rows(mirrored_demo, OutboxRow, attempt_id=attempt)) == 2


def _snapshot(app, attempt):
    return [(r.item_id, r.seq, r.cmi_json) for r in _rows(app, ScoState, attempt_id=attempt)]


def test_refused_commits_change_nothing(mirrored_demo):
    with serving(mirrored_demo) as base:
        learner, attempt = open_learner_session(base, mirrored_demo, "13", 1)
        other, other_attempt = open_learner_session(base, mirrored_demo, "14", 1)
        ok = {"seq": 5, "cmi": {"cmi.core.lesson_location": "p2"}}
        assert learner.post(_url(base, attempt), json=ok, timeout=10).status_code == 200
        before = _snapshot(mirrored_demo, attempt)

        stale = learner.post(_url(base, attempt), json={"seq": 5, "cmi": {"cmi.core.lesson_location": "old"}}, timeout=10)
        assert stale.status_code == 409
        older = learner.post(_url(base, attempt), json={"seq": 3, "cmi": {"cmi.core.lesson_location": "old"}}, timeout=10)
        assert older.status_code == 409
        invalid = learner.post(_url(base, attempt), json={"seq": 6, "cmi": {
            "cmi.core.lesson_location": "p3", "cmi.core.lesson_status": "winning"}}, timeout=10)
        assert invalid.status_code == 400 and invalid.json()["error"]["code"] == "commit.invalid"
        unknown = learner.post(_url(base, attempt), json={"seq": 7, "cmi": {"cmi.core.favourite_colour": "red"}}, timeout=10)
        assert unknown.status_code == 400
        readonly = learner.post(_url(base, attempt), json={"seq": 8, "cmi": {"cmi.core.student_id": "14"}}, timeout=10)
        assert readonly.status_code == 400
        too_long = learner.post(_url(base, attempt), json={"seq": 9, "cmi": {"cmi.core.lesson_location": "x" * 300}}, timeout=10)
        assert too_long.status_code == 400
        foreign = requests.post(_url(base, attempt), json={"seq": 10, "cmi": {"cmi.core.lesson_location": "evil"}},
                                cookies=learner.cookies, headers={"Origin": "https://evil.example"}, timeout=10)
        assert foreign.status_code == 403
        # another learner can neither write nor read this attempt
        cross = other.post(_url(base, attempt), json={"seq": 11, "cmi": {"cmi.core.lesson_location": "x"}}, timeout=10)
        assert cross.status_code == 403
        assert other.get(_url(base, attempt, what="state"), timeout=10).status_code == 403
        assert other.get(f"{base}/play/attempt/{attempt}", timeout=10).status_code == 403
        nobody = requests.post(_url(base, attempt), json={"seq": 12, "cmi": {}}, headers={"Origin": base}, timeout=10)
        assert nobody.status_code == 403
        not_json = learner.post(_url(base, attempt), data="{nope", timeout=10)
        assert not_json.status_code == 400
        assert _snapshot(mirrored_demo, attempt) == before
        assert other_attempt != attempt


def test_beacon_commit_as_text_plain_is_accepted(mirrored_demo):
    with serving(mirrored_demo) as base:
        learner, attempt = open_learner_session(base, mirrored_demo, "15", 1)
        body = json.dumps({"seq": 1, "beacon": True, "terminated": True,
                           "cmi": {"cmi.core.lesson_location": "last", "cmi.core.exit": "suspend"}})
        sent = learner.post(_url(base, attempt), data=body, headers={"Content-Type": "text/plain;charset=UTF-8"},
                            timeout=10)
        assert sent.status_code == 200
        state = learner.get(_url(base, attempt, what="state"), timeout=10).json()
        assert state["cmi"]["cmi.core.lesson_location"] == "last"


def test_content_needs_a_grant_for_that_course(mirrored_demo):
    with serving(mirrored_demo) as base:
        learner, attempt = open_learner_session(base, mirrored_demo, "16", 1)
        page = learner.get(f"{base}/play/attempt/{attempt}", timeout=10)
        assert page.status_code == 200
        with mirrored_demo.extensions["scormproxy.db"].session() as s:
            version = s.get(Attempt, attempt).version_id
        url = f"{base}/content/1/{version}/index.html"
        got = learner.get(url, timeout=10)
        assert got.status_code == 200 and b"<html" in got.content.lower()
        assert got.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'self'" in got.headers["Content-Security-Policy"]
        assert "immutable" in got.headers["Cache-Control"]
        etag = got.headers["ETag"]
        assert learner.get(url, headers={"If-None-Match": etag}, timeout=10).status_code == 304
        ranged = learner.get(url, headers={"Range": "bytes=0-9"}, timeout=10)
        assert ranged.status_code == 206 and len(ranged.content) == 10
        assert requests.get(url, timeout=10).status_code == 403
        assert learner.get(f"{base}/content/2/{version}/index.html", timeout=10).status_code == 403
        assert learner.get(f"{base}/content/1/{version}/nope.html", timeout=10).status_code == 404
        assert learner.get(f"{base}/content/1/{version}/../../etc/passwd", timeout=10).status_code in (403, 404)


def test_text_files_are_gzipped_when_asked(mirrored_demo):
    import gzip as gz

    with serving(mirrored_demo) as base:
        learner, attempt = open_learner_session(base, mirrored_demo, "17", 1)
        with mirrored_demo.extensions["scormproxy.db"].session() as s:
            version = s.get(Attempt, attempt).version_id
        url = f"{base}/content/1/{version}/quiz.js"
        plain = learner.get(url, headers={"Accept-Encoding": "identity"}, timeout=10)
        packed = learner.get(url, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10)
        raw = packed.raw.read(decode_content=False)
        assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
        assert gz.decompress(raw) == plain.content and len(raw) < len(plain.content)
        assert packed.headers["ETag"] != plain.headers["ETag"]
        again = learner.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}, timeout=10)
        assert again.status_code == 304
