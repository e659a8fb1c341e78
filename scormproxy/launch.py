"""Signed launch URLs, learner sessions, and which attempt a launch opens.

A launch URL is an itsdangerous-signed, timestamped token over the learner id, the
learning id and a nonce; it works once and for `launch_url_ttl` seconds. Opening it
puts a signed, expiring grant in an HTTP-only, SameSite cookie; the grant names the
attempt and package version, so serving content needs no database query.
"""
from __future__ import annotations

import logging
import secrets
import time
from functools import lru_cache
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .config import Settings
from .db import Database
from .errors import ScormProxyError
from .models import Attempt, LearnerSession, Package, UsedLaunch

log = logging.getLogger(__name__)

COOKIE_NAME = "sp_learner"
COOKIE_PATHS = ("/play", "/content")
MAX_GRANTS = 10


class LaunchRefused(ScormProxyError):
    code = "launch_refused"
    http_status = 403


@dataclass(frozen=True)
class Grant:
    """What a learner's cookie entitles them to: one attempt of one package version."""
    attempt_id: str
    user_id: str
    learning_id: int
    version_id: str
    expires: int
    preview: bool = False

    def to_json(self) -> dict:
        return {"a": self.attempt_id, "u": self.user_id, "l": self.learning_id,
                "v": self.version_id, "x": self.expires, "p": self.preview}

    @classmethod
    def from_json(cls, data: dict) -> "Grant":
        return cls(attempt_id=str(data["a"]), user_id=str(data["u"]), learning_id=int(data["l"]),
                   version_id=str(data["v"]), expires=int(data["x"]), preview=bool(data.get("p")))


def _launch_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="scormproxy.launch")


def _grant_serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt="scormproxy.grants")


def validate_ids(user_id, learning_id) -> tuple[str, int]:
    user = str(user_id).strip()
    if not user or len(user) > 100 or not user.isprintable():
        raise ScormProxyError("user_id must be 1..100 printable characters", code="bad_request")
    try:
        learning = int(learning_id)
    except (TypeError, ValueError):
        raise ScormProxyError("learning_id must be an integer", code="bad_request") from None
    if learning <= 0:
        raise ScormProxyError("learning_id must be positive", code="bad_request")
    return user, learning


def make_launch_token(settings: Settings, user_id, learning_id, *, preview: bool = False) -> str:
    user, learning = validate_ids(user_id, learning_id)
    payload = {"u": user, "l": learning, "n": secrets.token_urlsafe(12), "p": preview}
    return _launch_serializer(settings).dumps(payload)


def launch_url(settings: Settings, user_id, learning_id, *, base_url: str = "", preview=False) -> str:
    base = (base_url or settings.public_url or "http://127.0.0.1:8000").rstrip("/")
    return f"{base}/play/{make_launch_token(settings, user_id, learning_id, preview=preview)}"


def open_launch(settings: Settings, db: Database, token: str) -> Grant:
    """Check a launch token, burn its nonce, and return the grant for the learner's attempt."""
    try:
        payload = _launch_serializer(settings).loads(token, max_age=settings.launch_url_ttl)
    except SignatureExpired:
        raise LaunchRefused("This launch link has expired. Start the course again from your LMS.",
                            code="launch_expired") from None
    except BadSignature:
        raise LaunchRefused("This launch link is not valid (it was altered or is not ours).",
                            code="launch_tampered") from None
    user, learning = validate_ids(payload.get("u"), payload.get("l"))
    preview = bool(payload.get("p"))
    try:
        with db.session() as s:
            s.add(UsedLaunch(nonce=str(payload["n"])))
    except IntegrityError:
        raise LaunchRefused("This launch link was already used. Start the course again from your LMS.",
                            code="launch_replayed") from None
    attempt = open_attempt(db, user, learning, preview=preview,
                           assign_upstream=settings.launch_assigns_upstream)
    _check_remote_allowed(settings, db, attempt.version_id)
    expires = int(time.time()) + settings.session_ttl
    with db.session() as s:
        s.add(LearnerSession(id=secrets.token_urlsafe(24), user_id=user, learning_id=learning,
                             attempt_id=attempt.id, preview=preview,
                             expires_at=datetime.now(timezone.utc) + timedelta(seconds=settings.session_ttl)))
    log.info("launch", extra={"learning_id": learning, "attempt": attempt.id, "preview": preview})
    return Grant(attempt.id, user, learning, attempt.version_id, expires, preview)


def open_attempt(db: Database, user: str, learning: int, *, preview: bool = False,
                 assign_upstream: bool = False) -> Attempt:
    """The learner's attempt: the latest one, unless it is finished and a newer version exists."""
    with db.session() as s:
        package = s.get(Package, learning)
        if package is None or not package.current_version:
            raise LaunchRefused("This course is not available yet.", code="course_unavailable")
        latest = s.scalars(select(Attempt).where(Attempt.user_id == user, Attempt.learning_id == learning,
                                                 Attempt.preview == preview)
                           .order_by(Attempt.created_at.desc()).limit(1)).first()
        finished = latest is not None and latest.status in ("completed", "failed")
        if latest is not None and not (finished and latest.version_id != package.current_version):
            return latest
        existing = s.scalars(select(Attempt).where(
            Attempt.user_id == user, Attempt.learning_id == learning, Attempt.preview == preview,
            Attempt.version_id == package.current_version)).first()
        if existing is not None:
            return existing
        attempt = Attempt(id=secrets.token_urlsafe(16), user_id=user, learning_id=learning,
                          version_id=package.current_version, preview=preview)
        s.add(attempt)
        if assign_upstream and not preview:
            # Queued, not called: nothing on the learner's path waits on Open eLMS.
            from .reporting.outbox import enqueue_result

            enqueue_result(s, attempt, "assign", None)
        return attempt


def _check_remote_allowed(settings: Settings, db: Database, version_id: str) -> None:
    """A container loads the course from the vendor's servers: only when the site allows it."""
    from .models import PackageVersion

    with db.session() as s:
        version = s.get(PackageVersion, version_id)
        if version is not None and version.kind == "container" and not settings.allow_remote_content:
            raise LaunchRefused("This course plays from its vendor's servers, which this site does not "
                                "allow (SCORMPROXY_ALLOW_REMOTE_CONTENT).", code="remote_content_disabled")


def read_grants(settings: Settings, cookie: str | None) -> list[Grant]:
    if not cookie:
        return []
    now = time.time()
    return [g for g in _decode_grants(settings.secret_key, cookie) if g.expires > now]


@lru_cache(maxsize=4096)
def _decode_grants(secret_key: str, cookie: str) -> tuple[Grant, ...]:
    # Every content request carries the cookie: verify each distinct value once.
    try:
        raw = URLSafeSerializer(secret_key, salt="scormproxy.grants").loads(cookie)
        return tuple(Grant.from_json(item) for item in raw)
    except (BadSignature, KeyError, TypeError, ValueError):
        return ()


def write_grants(settings: Settings, grants: list[Grant]) -> str:
    kept: dict[str, Grant] = {}
    for grant in grants:
        kept[grant.attempt_id] = grant
    newest = list(kept.values())[-MAX_GRANTS:]
    return _grant_serializer(settings).dumps([g.to_json() for g in newest])
