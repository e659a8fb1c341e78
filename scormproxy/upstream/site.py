"""The configured Open eLMS site: the only place request URLs are built, and the judge of returned links."""
from __future__ import annotations

import re
from typing import Iterable
from urllib.parse import unquote, urljoin, urlsplit

from ..config import ConfigError
from .models import Id

# Ids go into URL paths: a strict alphabet means no quoting and no way out of /backend/.
_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class Site:
    """`https://host/SITE_ID`, validated; URLs outside it are never requested."""

    def __init__(self, base_url: str):
        parts = urlsplit((base_url or "").strip())
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise ConfigError("the Open eLMS URL must be http(s)://host/SITE_ID")
        if parts.username or parts.password or parts.query or parts.fragment:
            raise ConfigError("the Open eLMS URL must not carry credentials, a query or a fragment")
        self.base_url = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self._origin = _origin(urlsplit(self.base_url))
        self._base_path = parts.path.rstrip("/")

    def url(self, path: str) -> str:
        """`path` is one of the API's own, e.g. /backend/learning/3, built from checked ids."""
        return self.base_url + path

    def confine(self, link: str | None) -> str | None:
        """`link` made absolute if it stays on this site (same scheme, host, port, under its path); else None.

        The API hands out download links; following one elsewhere would send
        our token there, or let the site steer us at an internal address.
        """
        if not link:
            return None
        absolute = urljoin(self.base_url + "/", link.strip())
        try:
            parts = urlsplit(absolute)
            origin = _origin(parts)
        except ValueError:
            return None
        segments = unquote(parts.path).split("/")
        if origin != self._origin or parts.username or parts.password or ".." in segments or "." in segments:
            return None
        if not parts.path.startswith(self._base_path + "/"):
            return None
        return absolute


def api_id(value: Id) -> str:
    """A learning or user id as a path segment; ValueError, before any request, for anything odd."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and _ID_PATTERN.fullmatch(value):
        return value
    raise ValueError(f"not a valid Open eLMS id: {value!r}")


def api_id_list(values: Id | Iterable[Id]) -> str:
    """The API's CSV list of learning ids, e.g. `1,2,3`."""
    if isinstance(values, (int, str)):
        values = [values]
    ids = list(dict.fromkeys(api_id(value) for value in values))
    if not ids:
        raise ValueError("at least one learning id is needed")
    return ",".join(ids)


def _origin(parts) -> tuple:
    return parts.scheme, parts.hostname, parts.port or _DEFAULT_PORTS.get(parts.scheme)
