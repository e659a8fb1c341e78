"""The Open eLMS client's exception tree and the HTTP status that picks each class."""
from __future__ import annotations

from urllib.parse import urlsplit

from ..errors import ScormProxyError


class UpstreamError(ScormProxyError):
    """Open eLMS answered something we cannot use, or could not be reached.

    Carries the request's method and path (relative to the site, never a query
    string) and the HTTP status (None when no response came back); never a header.
    """

    code = "upstream_error"
    http_status = 502

    def __init__(self, message: str, *, method: str = "", path: str = "", status: int | None = None):
        super().__init__(message)
        self.method = method
        self.path = path
        self.status = status

    @property
    def retryable(self) -> bool:
        """True when the same request may well succeed later (outage, rate limit, network)."""
        return False


class UpstreamAuthError(UpstreamError):
    """401 (no credentials) or 403 (wrong token): retrying will not help."""

    code = "upstream_auth"


class UpstreamNotFound(UpstreamError):
    code = "upstream_not_found"
    http_status = 404


class UpstreamValidationError(UpstreamError):
    """400: the site rejected the data we sent."""

    code = "upstream_validation"


class UpstreamPreconditionFailed(UpstreamError):
    """412: e.g. a container download while allowSCORMContainerPlayer is off."""

    code = "upstream_precondition"


class UpstreamNotImplemented(UpstreamError):
    code = "upstream_not_implemented"


class UpstreamUnavailable(UpstreamError):
    """503: rate limit exceeded or a scheduled outage; `retry_after` in seconds when the site said."""

    code = "upstream_unavailable"
    http_status = 503

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return True


class UpstreamServerError(UpstreamError):
    """500 and any other 5xx except 501."""

    code = "upstream_server_error"

    @property
    def retryable(self) -> bool:
        return True


class UpstreamTransportError(UpstreamError):
    """No usable response: connection refused, reset or dropped, body cut short."""

    code = "upstream_transport"
    http_status = 504

    @property
    def retryable(self) -> bool:
        return True


class UpstreamTimeout(UpstreamTransportError):
    """The connect or read timeout elapsed."""

    code = "upstream_timeout"


class UpstreamRedirect(UpstreamError):
    """A 3xx: never followed, because the token must not travel to another address."""

    code = "upstream_redirect"

    def __init__(self, message: str, *, location: str | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.location = location


class UpstreamProtocolError(UpstreamError):
    """A response we cannot accept: unparseable JSON, unexpected shape, download too large."""

    code = "upstream_protocol"


_BY_STATUS: dict[int, type[UpstreamError]] = {
    400: UpstreamValidationError,
    401: UpstreamAuthError,
    403: UpstreamAuthError,
    404: UpstreamNotFound,
    412: UpstreamPreconditionFailed,
    # Not in the documented list, but it is a rate limit by definition.
    429: UpstreamUnavailable,
    501: UpstreamNotImplemented,
    503: UpstreamUnavailable,
}


def error_for_status(status: int, *, method: str, path: str, detail: str = "",
                     retry_after: float | None = None, location: str | None = None) -> UpstreamError:
    """The exception for a non-2xx answer to `method path`."""
    message = f"Open eLMS answered {status} to {method} {path}"
    if detail:
        message += f": {detail}"
    if 300 <= status < 400:
        # Name the host only: the rest of a Location is the server's business, maybe a secret.
        target = _host_of(location) or "an unnamed location"
        return UpstreamRedirect(f"{message}, a redirect to {target}, not followed", method=method, path=path,
                                status=status, location=location)
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = UpstreamServerError if status >= 500 else UpstreamError
    if cls is UpstreamUnavailable:
        return UpstreamUnavailable(message, method=method, path=path, status=status, retry_after=retry_after)
    return cls(message, method=method, path=path, status=status)


def _host_of(location: str | None) -> str | None:
    try:
        return urlsplit(location or "").hostname
    except ValueError:
        return None
