"""OpenElmsClient: every endpoint of the Open eLMS API, over one requests.Session, to one site only."""
from __future__ import annotations

import email.utils
import json
import logging
import os
import time
from typing import Any, Callable, Iterable, Mapping

import requests

from ..config import ConfigError, Settings
from ..logs import register_secret
from . import forms
from .download import DOWNLOAD_HEADERS, remove_quietly, write_body
from .errors import UpstreamError, UpstreamNotFound, UpstreamProtocolError, UpstreamTransportError, error_for_status
from .models import (Download, Id, LearningResource, PayloadError, TraineeStatus, User, parse_id, parse_learning,
                     parse_list, parse_one, parse_string, parse_trainee, parse_user)
from .ratelimit import RateLimiter
from .retry import BackoffPolicy, CallRecord, RetryStats, RetryTracker
from .site import Site, api_id, api_id_list
from .transport import TokenAuth, build_session, translate_errors

log = logging.getLogger(__name__)

GiB = 1024 ** 3
ERROR_DETAIL_CHARS = 200
ERROR_BODY_BYTES = 4096


class OpenElmsClient:
    """A client for one Open eLMS site (`base_url` = https://host/SITE_ID).

    Every URL it requests is built from `base_url`; redirects are refused;
    the token travels only in the Authorization header and never shows up
    in reprs, exceptions or logs. Safe to share between threads.
    """

    def __init__(self, base_url: str, token: str, *, connect_timeout: float = 5.0, read_timeout: float = 30.0,
                 retries: int = 4, backoff: float = 0.5, backoff_max: float = 30.0, backoff_jitter: float = 0.25,
                 rate_limit: float = 0.0, download_max_bytes: int = 4 * GiB,
                 session: requests.Session | None = None, sleep: Callable[[float], None] = time.sleep):
        self._site = Site(base_url)
        self.base_url = self._site.base_url
        self._auth = TokenAuth(token)
        register_secret(token)
        self.timeout = (connect_timeout, read_timeout)
        self.download_max_bytes = download_max_bytes
        self.policy = BackoffPolicy(retries=retries, backoff=backoff, backoff_max=backoff_max, jitter=backoff_jitter)
        self.rate_limiter = RateLimiter(rate_limit, sleep=sleep)
        self._tracker = RetryTracker(self.policy, sleep=sleep, limiter=self.rate_limiter)
        self._session = build_session(session, self.base_url, self._tracker, retries)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> "OpenElmsClient":
        if not settings.openelms_url:
            raise ConfigError("OPENELMS_URL is not set")
        options = dict(
            connect_timeout=settings.upstream_connect_timeout, read_timeout=settings.upstream_read_timeout,
            retries=settings.upstream_retries, backoff=settings.upstream_backoff,
            backoff_max=settings.upstream_backoff_max, backoff_jitter=settings.upstream_backoff_jitter,
            rate_limit=settings.upstream_rate_limit,
            download_max_bytes=settings.upstream_download_max_bytes,
        )
        options.update(overrides)
        return cls(settings.openelms_url, settings.openelms_token, **options)

    def __repr__(self) -> str:
        return f"OpenElmsClient(base_url={self.base_url!r}, token='***')"

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> "OpenElmsClient":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def last_call(self) -> CallRecord | None:
        """The latest call made on this thread: attempts, retry delays, download restarts."""
        return self._tracker.current

    @property
    def stats(self) -> RetryStats:
        return self._tracker.stats

    # Learning resources.

    def list_learning(self) -> list[LearningResource]:
        items = self._json("GET", "/backend/learning/", parse=lambda p: parse_list(p, parse_learning, "resources"))
        return [self._confined(item) for item in items]

    def get_learning(self, learning_id: Id) -> LearningResource:
        path = f"/backend/learning/{api_id(learning_id)}"
        item = self._json("GET", path, parse=lambda p: parse_one(p, parse_learning, "resources"))
        if item is None:
            raise UpstreamNotFound(f"Open eLMS has no learning resource {learning_id}", method="GET", path=path)
        return self._confined(item)

    def download(self, learning_id: Id, dest: str | os.PathLike) -> Download:
        """The SCORM zip, streamed to `dest` (via `dest.part`, renamed when complete)."""
        return self._download(f"/backend/learning/download/{api_id(learning_id)}", dest)

    def download_container(self, learning_id: Id, dest: str | os.PathLike) -> Download:
        """The container zip (it loads content from the vendor); 412 when the site disallows containers."""
        return self._download(f"/backend/learning/download-container/{api_id(learning_id)}", dest)

    def new_resource(self, name: str, type: str | None = None) -> str:
        if not isinstance(name, str) or not name.strip():
            raise ValueError("a new resource needs a name")
        if type is not None and type not in forms.RESOURCE_TYPES:
            raise ValueError(f"resource type must be one of {', '.join(sorted(forms.RESOURCE_TYPES))}")
        form = {"name": name} if type is None else {"name": name, "type": type}
        return self._json("POST", "/backend/learning/new-resource", data=form,
                          parse=lambda p: parse_string(p, "a learning resource id"))

    def creator_url(self, learning_id: Id) -> str:
        """A one-time Open eLMS Creator URL for a browser; each call invalidates the previous one."""
        return self._json("GET", f"/backend/learning/creator-url/{api_id(learning_id)}",
                          parse=lambda p: parse_string(p, "a creator URL"))

    def trainees(self, learning_id: Id, user_id: Id | None = None) -> list[TraineeStatus]:
        path = f"/backend/learning/{api_id(learning_id)}/trainees"
        if user_id is not None:
            path += f"/{api_id(user_id)}"
        return self._json("GET", path, parse=_trainee_list)

    def report_progress(self, learning_id: Id, user_id: Id, action: str, score: int | None = None
                        ) -> list[TraineeStatus]:
        """The progress PUT: start, complete or fail, with a whole score 0..100 for complete/fail."""
        if action not in forms.PROGRESS_ACTIONS:
            raise ValueError(f"action must be one of {', '.join(forms.PROGRESS_ACTIONS)}")
        path = f"/backend/learning/{api_id(learning_id)}/{api_id(user_id)}/{action}"
        if score is not None:
            if action not in forms.SCORED_ACTIONS:
                raise ValueError("a score is only sent with complete or fail")
            if isinstance(score, bool) or not isinstance(score, int) or score not in forms.SCORE_RANGE:
                raise ValueError("score must be a whole number from 0 to 100")
            path += f"/{score}"
        return self._json("PUT", path, parse=_trainee_list)

    # Users.

    def create_user(self, **fields: Any) -> Id:
        form = forms.user_form(fields)
        return self._json("POST", "/backend/users/", data=form, parse=parse_id)

    def update_user(self, user_id: Id, **fields: Any) -> None:
        form = forms.user_form(fields)
        self._json("PUT", f"/backend/users/{api_id(user_id)}", data=form)

    def get_user(self, user_id: Id) -> User:
        path = f"/backend/users/{api_id(user_id)}"
        user = self._json("GET", path, parse=lambda p: parse_one(p, parse_user, "users"))
        if user is None:
            raise UpstreamNotFound(f"Open eLMS has no user {user_id}", method="GET", path=path)
        return user

    def list_users(self) -> list[User]:
        return self._json("GET", "/backend/users/", parse=_user_list)

    def search_users(self, **criteria: Any) -> list[User]:
        """Users matching every criterion; only the documented search fields are accepted."""
        return self._json("GET", "/backend/users/", params=forms.search_query(criteria), parse=_user_list)

    def user_fields(self) -> dict[str, Any]:
        """The possible values (and labels) of the numeric user fields, e.g. Ethnicity."""
        return self._json("GET", "/backend/user/fields", parse=_mapping)

    def assign(self, user_id: Id, learning_ids: Id | Iterable[Id]) -> None:
        self._json("PUT", f"/backend/assign/{api_id(user_id)}/{api_id_list(learning_ids)}")

    def unassign(self, user_id: Id, learning_ids: Id | Iterable[Id]) -> None:
        self._json("DELETE", f"/backend/unassign/{api_id(user_id)}/{api_id_list(learning_ids)}")

    # The wire.

    def _json(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
              data: Mapping[str, str] | None = None, parse: Callable[[Any], Any] | None = None) -> Any:
        record = self._tracker.begin(method, path)
        response = self._send(record, method, path, params=params, data=data)
        if parse is None:
            return None
        try:
            payload = json.loads(response.content) if response.content.strip() else None
            return parse(payload)
        except ValueError as exc:  # PayloadError, JSONDecodeError and UnicodeDecodeError alike
            reason = self._auth.redact(_first_line(exc))
            raise UpstreamProtocolError(f"unexpected answer to {method} {path}: {reason}",
                                        method=method, path=path, status=response.status_code) from None

    def _download(self, path: str, dest: str | os.PathLike) -> Download:
        dest = os.fspath(dest)
        part = dest + ".part"
        record = self._tracker.begin("GET", path)
        try:
            while True:
                response = self._send(record, "GET", path, stream=True, headers=DOWNLOAD_HEADERS)
                try:
                    with response:
                        size, sha256 = write_body(response, part, max_bytes=self.download_max_bytes,
                                                  method="GET", path=path)
                    break
                except UpstreamTransportError as exc:
                    # urllib3 retried up to the headers; a body cut later is ours to start again.
                    if not self._tracker.retry_allowed():
                        record.error = type(exc).__name__
                        raise
                    self._tracker.before_retry(restart=True, reason=f"body cut: {type(exc).__name__}")
            os.replace(part, dest)
        except BaseException:
            remove_quietly(part)
            raise
        log.info("upstream download %s: %d bytes, sha256 %s", path, size, sha256,
                 extra={"bytes": size, "attempts": record.attempts})
        return Download(path=dest, bytes=size, sha256=sha256, content_type=response.headers.get("Content-Type"))

    def _send(self, record: CallRecord, method: str, path: str, *, params=None, data=None, stream=False,
              headers=None) -> requests.Response:
        started = time.monotonic()
        try:
            with translate_errors(method, path):
                response = self._session.request(
                    method, self._site.url(path), params=params, data=data, headers=headers, auth=self._auth,
                    timeout=self.timeout, allow_redirects=False, stream=stream)
        except UpstreamError as exc:
            record.error = type(exc).__name__
            self._log_call(record, started, logging.INFO)
            raise
        record.status = response.status_code
        if 200 <= response.status_code < 300:
            self._log_call(record, started, logging.DEBUG)
            return response
        with response:
            error = error_for_status(response.status_code, method=method, path=path,
                                     detail=self._detail(response, stream), retry_after=_retry_after(response),
                                     location=response.headers.get("Location"))
        record.error = type(error).__name__
        self._log_call(record, started, logging.INFO)
        raise error

    def _log_call(self, record: CallRecord, started: float, level: int) -> None:
        elapsed = time.monotonic() - started
        log.log(level, "upstream %s %s -> %s in %.3f s, attempt %d", record.method, record.path,
                record.status or record.error, elapsed, record.attempts,
                extra={"status": record.status, "elapsed": round(elapsed, 3), "attempt": record.attempts})

    def _detail(self, response: requests.Response, stream: bool) -> str:
        """A short, single-line reason from a 4xx body; 5xx bodies are outage pages or stack traces."""
        if not 400 <= response.status_code < 500:
            return ""
        try:
            with translate_errors(response.request.method or "", ""):
                body = response.raw.read(ERROR_BODY_BYTES, decode_content=True) if stream else response.content
        except UpstreamError:
            return ""
        text = (body or b"")[:ERROR_BODY_BYTES].decode("utf-8", "replace")
        try:
            payload = json.loads(text)
        except ValueError:
            payload = text
        if isinstance(payload, dict):
            payload = payload.get("message") or payload.get("error") or payload
        return self._auth.redact(" ".join(str(payload).split())[:ERROR_DETAIL_CHARS])

    def _confined(self, item: LearningResource) -> LearningResource:
        """Keep a download link only if it stays inside this site: the API must not steer us elsewhere."""
        link = self._site.confine(item.download_link)
        if item.download_link and link is None:
            log.warning("ignoring a download link outside %s for learning %s", self.base_url, item.id)
        if link == item.download_link:
            return item
        return LearningResource(id=item.id, name=item.name, type=item.type, download_link=link, extra=item.extra)


def _retry_after(response: requests.Response) -> float | None:
    raw = (response.headers.get("Retry-After") or "").strip()
    if not raw:
        return None
    if raw.isdigit():
        return float(raw)
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _trainee_list(payload: Any) -> list[TraineeStatus]:
    if isinstance(payload, dict) and "user_id" in payload:  # a single trainee, unwrapped
        payload = [payload]
    return parse_list(payload, parse_trainee, "trainees")


def _user_list(payload: Any) -> list[User]:
    return parse_list(payload, parse_user, "users")


def _mapping(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise PayloadError(f"expected an object, got {type(payload).__name__}")
    return payload


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:ERROR_DETAIL_CHARS]
