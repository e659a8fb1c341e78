"""Manifest hrefs: xml:base resolution, the escape/script/remote rules, and SCORM's parameters joining."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

# Browsers drop ASCII tab and newline anywhere in a URL and trim C0 controls and
# spaces at both ends, so "java\nscript:" is still a script URL to them.
_URL_IGNORED = re.compile(r"[\t\n\r]")
_URL_TRIMMED = "".join(chr(c) for c in range(0x21))
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "livescript", "jscript", "data", "blob"})
REMOTE_SCHEMES = frozenset({"http", "https", "ftp", "ws", "wss"})
# WHATWG URL parsing treats these spellings as dot segments too.
_DOT = {".", "%2e"}
_DOTDOT = {"..", ".%2e", "%2e.", "%2e%2e"}


@dataclass(frozen=True)
class HrefProblem:
    code: str  # manifest.script_href | manifest.remote_href | manifest.href_absolute | ...
    message: str


@dataclass(frozen=True)
class Href:
    url: str  # resolved, relative to the package root, query and fragment kept
    path: str  # the package file it names: percent-decoded, no query or fragment
    backslashes: bool = False  # written with '\\', normalised to '/'


def classify(raw: str) -> HrefProblem | None:
    """The problem with an href (or xml:base) before it is even resolved, if any."""
    cleaned = _URL_IGNORED.sub("", raw).strip(_URL_TRIMMED)
    scheme = _SCHEME.match(cleaned)
    if scheme:
        name = scheme.group(1).lower()
        if name in SCRIPT_SCHEMES:
            return HrefProblem("manifest.script_href", f"{raw!r} is a {name}: URL, which runs code instead of "
                               "loading a file")
        if name in REMOTE_SCHEMES:
            return HrefProblem("manifest.remote_href", f"{raw!r} points outside the package, to a remote server")
        return HrefProblem("manifest.href_invalid", f"{raw!r} uses the {name}: scheme; only package files "
                           "can be launched")
    if _CONTROL.search(raw.strip()):
        return HrefProblem("manifest.href_invalid", f"{raw!r} has control characters")
    normalised = cleaned.replace("\\", "/")
    if normalised.startswith("//"):
        return HrefProblem("manifest.remote_href", f"{raw!r} points outside the package, to a remote server")
    if normalised.startswith("/"):
        return HrefProblem("manifest.href_absolute", f"{raw!r} is an absolute path; hrefs are relative to the "
                           "package")
    return None


def check_base(raw: str) -> HrefProblem | None:
    """xml:base may only name a folder inside the package."""
    problem = classify(raw)
    if problem is not None:
        return HrefProblem("manifest.xml_base_invalid", f"xml:base {problem.message}")
    if "?" in raw or "#" in raw:
        return HrefProblem("manifest.xml_base_invalid", f"xml:base {raw!r} has a query or fragment")
    return None


def resolve(bases: list[str], raw: str) -> Href | HrefProblem:
    """Resolve `raw` against the chain of xml:base values (outermost first), inside the package.

    Bases are read as folders even without a trailing '/', as their authors mean them.
    """
    problem = classify(raw)
    if problem is not None:
        return problem
    cleaned = _URL_IGNORED.sub("", raw).strip(_URL_TRIMMED)
    backslashes = "\\" in cleaned
    cleaned = cleaned.replace("\\", "/")
    path, query, fragment = _split(cleaned)
    resolved = _normalise(_base_segments(bases) + path.split("/"))
    if resolved is None:
        return HrefProblem("manifest.href_escapes", f"{raw!r} resolves to a place outside the package")
    resolved_path = "/".join(resolved)
    if not resolved_path:
        return HrefProblem("manifest.href_invalid", f"{raw!r} names no file")
    decoded = unquote(resolved_path)
    if _CONTROL.search(decoded) or any(part in ("", ".", "..") for part in decoded.split("/")):
        return HrefProblem("manifest.href_escapes", f"{raw!r} hides path segments behind percent-encoding")
    url = resolved_path + (f"?{query}" if query is not None else "") + (f"#{fragment}" if fragment is not None
                                                                      else "")
    return Href(url=url, path=decoded, backslashes=backslashes)


def join_parameters(href: str, parameters: str | None) -> str:
    """Append an item's parameters to its resource href, as SCORM 2004 CAM (3.4.1.9) prescribes.

    A leading '#' makes them a fragment, dropped if the href already has one;
    otherwise leading '?' and '&' are removed and the rest joins the query with
    '&' when the href has one and '?' when it does not.
    """
    if not parameters or not parameters.strip():
        return href
    params = parameters.strip()
    if params.startswith("#"):
        return href if "#" in href else href + params
    params = params.lstrip("?&")
    if not params:
        return href
    before_fragment, hash_sign, fragment = href.partition("#")
    joiner = "&" if "?" in before_fragment else "?"
    return before_fragment + joiner + params + hash_sign + fragment


def base_folder(bases: list[str]) -> str:
    """The folder a chain of (already checked) xml:base values names, '' for the package root."""
    resolved = _normalise(_base_segments(bases))
    return "/".join(resolved) + "/" if resolved else ""


def _base_segments(bases: list[str]) -> list[str]:
    segments: list[str] = []
    for base in bases:
        segments += base.replace("\\", "/").split("/")
    return segments


def _normalise(segments: list[str]) -> list[str] | None:
    """Remove dot segments; None when '..' would climb above the package root."""
    resolved: list[str] = []
    for segment in segments:
        lowered = segment.lower()
        if lowered in _DOT or segment == "":
            continue
        if lowered in _DOTDOT:
            if not resolved:
                return None
            resolved.pop()
            continue
        resolved.append(segment)
    return resolved


def _split(url: str) -> tuple[str, str | None, str | None]:
    url, hash_sign, fragment = url.partition("#")
    path, question, query = url.partition("?")
    return path, (query if question else None), (fragment if hash_sign else None)
