"""The requests/urllib3 layer: session set-up, token header, bounded retries, foreign errors mapped."""
from __future__ import annotations

import contextlib
from typing import Iterator
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from urllib3.util.retry import Retry

from .errors import UpstreamError, UpstreamProtocolError, UpstreamTimeout, UpstreamTransportError
from .retry import RetryTracker

# Status codes retried in place: outage or rate limit (503) and server errors;
# 502/504 are what a proxy in front of the site says for the same trouble.
RETRY_STATUSES = frozenset((500, 502, 503, 504))
# Every documented method except POST (user create, new resource), which is
# not idempotent: it is retried only when the request cannot have arrived
# (connect errors) or the site says it did nothing (503).
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "PUT", "DELETE", "OPTIONS"))
POOL_SIZE = 8


class TokenAuth(AuthBase):
    """`Authorization: Basic <raw token>`, exactly as Open eLMS documents it (not base64 user:pass).

    Passing it per request (never as a session header) also stops requests
    from consulting ~/.netrc, and keeps the token off any other host the
    session might be used for.
    """

    def __init__(self, token: str):
        self._token = token
        self._value = f"Basic {token}" if token else None

    def redact(self, text: str) -> str:
        """`text` with the token masked, for anything that echoes a server's words back."""
        return text.replace(self._token, "***") if self._token else text

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self._value:
            request.headers["Authorization"] = self._value
        return request

    def __repr__(self) -> str:
        return "TokenAuth(***)"


class BoundedRetry(Retry):
    """urllib3's Retry, with our delays, our sleep, and the call's shared retry budget."""

    # Retry-After alone must not make a 413 or 429 retryable: no retry on 4xx.
    RETRY_AFTER_STATUS_CODES = frozenset((503,))

    def __init__(self, *args, tracker: RetryTracker | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tracker = tracker

    def new(self, **kw) -> "BoundedRetry":
        kw.setdefault("tracker", self.tracker)
        return super().new(**kw)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method.upper() == "POST":
            return status_code == 503
        return super().is_retry(method, status_code, has_retry_after)

    def is_exhausted(self) -> bool:
        return super().is_exhausted() or (self.tracker is not None and not self.tracker.retry_allowed())

    def sleep(self, response=None) -> None:
        retry_after = None
        if response is not None:
            try:
                retry_after = self.get_retry_after(response)
            except urllib3.exceptions.InvalidHeader:
                retry_after = None  # a garbled header falls back to our own backoff
        if self.tracker is None:
            return super().sleep(response)
        status = getattr(response, "status", None)
        self.tracker.before_retry(retry_after, reason=f"status {status}" if status else "connection")


def build_session(session: requests.Session | None, base_url: str, tracker: RetryTracker,
                  retries: int, pool_size: int = POOL_SIZE) -> requests.Session:
    """`session` (or a new one) with our retrying adapter mounted for the site's origin only."""
    session = session or requests.Session()
    retry = BoundedRetry(
        total=retries, connect=retries, read=retries, status=retries, other=0,
        redirect=False, raise_on_redirect=False, raise_on_status=False,
        status_forcelist=RETRY_STATUSES, allowed_methods=IDEMPOTENT_METHODS,
        respect_retry_after_header=True, tracker=tracker,
    )
    parts = urlsplit(base_url)
    adapter = HTTPAdapter(max_retries=retry, pool_connections=1, pool_maxsize=pool_size)
    session.mount(f"{parts.scheme}://{parts.netloc}".lower(), adapter)
    session.headers["Accept"] = "application/json"
    session.headers["User-Agent"] = "scormproxy"
    return session


@contextlib.contextmanager
def translate_errors(method: str, path: str) -> Iterator[None]:
    """Turn requests/urllib3 exceptions raised inside into our own; nothing foreign gets out.

    The originals are not chained: they hold the prepared request, headers
    and all, and our messages say what an operator needs.
    """
    try:
        yield
    except UpstreamError:
        raise
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        raise _translated(exc, method, path) from None


def _translated(exc: BaseException, method: str, path: str) -> UpstreamError:
    where = f"{method} {path}"
    cause = _root_cause(exc)
    # urllib3 files "connection refused" under ConnectTimeoutError; it is not a timeout.
    timed_out = (isinstance(cause, (urllib3.exceptions.TimeoutError, TimeoutError))
                 and not isinstance(cause, urllib3.exceptions.NewConnectionError))
    if timed_out or isinstance(exc, requests.Timeout):
        return UpstreamTimeout(f"Open eLMS timed out on {where} ({type(cause).__name__})", method=method, path=path)
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidHeader,
                        requests.exceptions.ContentDecodingError, urllib3.exceptions.InvalidHeader)):
        return UpstreamProtocolError(f"unusable response to {where} ({type(cause).__name__})",
                                     method=method, path=path)
    return UpstreamTransportError(f"no usable response to {where} ({type(cause).__name__})",
                                  method=method, path=path)


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost urllib3/socket error behind requests' and urllib3's wrappers."""
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "reason", None)
        if inner is None and exc.args and isinstance(exc.args[0], BaseException):
            inner = exc.args[0]
        if inner is None and len(exc.args) > 1 and isinstance(exc.args[1], BaseException):
            inner = exc.args[1]  # ProtocolError("Connection aborted.", RemoteDisconnected(...))
        if not isinstance(inner, BaseException):
            return exc
        exc = inner
    return exc
