"""Content scanning: what a package's HTML, JS and CSS reach for that the player cannot give them."""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Iterable
from urllib.parse import unquote

from .content_rules import PLUGIN_FILE_EXTENSIONS, RULES, SEVERITY_RANK, is_non_fetched_url

SCAN_MAX_BYTES = 2 * 1024 * 1024
SNIFF_BYTES = 512

HTML_EXTENSIONS = frozenset({".html", ".htm", ".xhtml", ".shtml"})
SCRIPT_EXTENSIONS = frozenset({".js", ".mjs"})
STYLE_EXTENSIONS = frozenset({".css"})
DATA_EXTENSIONS = frozenset({".xml", ".json", ".txt", ".xsd", ".svg"})
# Never worth sniffing: the common binary formats of e-learning packages.
BINARY_EXTENSIONS = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".ico", ".mp3", ".mp4", ".m4a", ".m4v",
    ".ogg", ".oga", ".ogv", ".wav", ".webm", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".pdf",
    ".zip", ".swf", ".flv", ".jar", ".class", ".xap", ".dcr", ".psd", ".exe", ".dll",
})

_SCRIPT_BODY = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)

# Static relative references in markup, checked against the package's files.
_HTML_REF = re.compile(r"""<(?:script|img|link|iframe|frame|embed|source|audio|video|input)\b[^>]*?"""
                       r"""\b(src|href)\s*=\s*(["'])([^"'<>]*)\2""", re.IGNORECASE)
_DYNAMIC_MARKERS = ("{", "}", "+", "$", "<", "%>", "\\")
# A file name is a token (between these delimiters) ending in an extension. The
# look-behind starts a match only at a token's start, which keeps long base64 runs
# linear instead of quadratic. An extension holds a letter: `0.75` and `1.2.3` are numbers.
_DELIMITERS = r"""\s"'`()<>=,;\\|*{}\[\]?#"""
_NAME_TOKEN = re.compile(rf"(?<![^{_DELIMITERS}])[^{_DELIMITERS}]+\.(?=[0-9]{{0,7}}[A-Za-z])[A-Za-z0-9]{{1,8}}"
                         rf"(?![^{_DELIMITERS}])")
_QUOTED = re.compile(r"""["']([^"'\n]{1,300})["']""")


@dataclass
class ContentHit:
    """What one rule saw in one file: becomes one finding."""

    path: str
    code: str
    severity: str
    count: int
    first_line: int
    sample: str
    what: str

    @property
    def location(self) -> str:
        return f"{self.path}:{self.first_line}"

    @property
    def message(self) -> str:
        sample = f", first: {self.sample}" if self.sample else ""
        return f"{self.count} {self.what}{sample}"


@dataclass
class ScanResult:
    """Everything learned from one text file."""

    hits: list[ContentHit] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # file base names the text mentions
    local_refs: list[tuple[str, int]] = field(default_factory=list)  # (package path, line)
    truncated: bool = False


def text_kind(path: str, head: bytes | None = None) -> str | None:
    """'html', 'js', 'css' or 'data' for files worth reading as text; None for binaries."""
    ext = posixpath.splitext(path.lower())[1]
    if ext in HTML_EXTENSIONS:
        return "html"
    if ext in SCRIPT_EXTENSIONS:
        return "js"
    if ext in STYLE_EXTENSIONS:
        return "css"
    if ext in DATA_EXTENSIONS:
        return "data"
    if ext in BINARY_EXTENSIONS or head is None:
        return None
    return _sniff(head)


def needs_sniff(path: str) -> bool:
    ext = posixpath.splitext(path.lower())[1]
    known = HTML_EXTENSIONS | SCRIPT_EXTENSIONS | STYLE_EXTENSIONS | DATA_EXTENSIONS | BINARY_EXTENSIONS
    return ext not in known


def _sniff(head: bytes) -> str | None:
    if not head or b"\x00" in head:
        return None
    try:
        sample = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a multi-byte character cut at the end is still text
            return None
        sample = head[:exc.start].decode("utf-8")
    lowered = sample.lstrip().lower()
    if lowered.startswith(("<!doctype html", "<html")):
        return "html"
    return "data"


def plugin_file_code(path: str) -> str | None:
    return PLUGIN_FILE_EXTENSIONS.get(posixpath.splitext(path.lower())[1])


def scan_bytes(path: str, data: bytes, kind: str, max_bytes: int = SCAN_MAX_BYTES) -> ScanResult:
    """scan_text over the first max_bytes of a file's bytes."""
    # Content is UTF-8 or a single-byte legacy charset; the patterns are ASCII, so
    # replacement characters cannot hide a match.
    result = scan_text(path, data[:max_bytes].decode("utf-8", errors="replace"), kind)
    result.truncated = len(data) > max_bytes
    return result


def scan_text(path: str, text: str, kind: str) -> ScanResult:
    """Run every rule that reads `kind` over `text`; one hit per (file, code)."""
    result = ScanResult(names=mentioned_names(text))
    if kind not in ("html", "js", "css"):
        return result
    whole = "script" if kind == "js" else kind
    script_spans = [m.span(1) for m in _SCRIPT_BODY.finditer(text)] if kind == "html" else []
    lowered = text.lower()
    present: dict[str, bool] = {}  # rules share needles: look for each once

    def holds(needle: str) -> bool:
        found = present.get(needle)
        if found is None:
            found = present[needle] = needle in lowered
        return found

    by_code: dict[str, ContentHit] = {}
    for rule in RULES:
        if whole in rule.scopes:
            spans = [(0, len(text))]
        elif "script" in rule.scopes and script_spans:
            spans = script_spans
        else:
            continue
        if not all(any(holds(needle) for needle in group) for group in rule.needles):
            continue
        count, first_at, sample = 0, None, ""
        for start, end in spans:
            for match in rule.pattern.finditer(text, start, end):
                url = match.group(1) if rule.pattern.groups else ""
                if url and is_non_fetched_url(url):
                    continue
                count += 1
                if first_at is None:
                    first_at, sample = match.start(), url or match.group(0)
        if count:
            _merge(by_code, ContentHit(path, rule.code, rule.severity, count, _line_of(text, first_at),
                                       _shorten(sample), rule.what))
    result.hits = sorted(by_code.values(), key=lambda h: h.code)
    if kind == "html":
        result.local_refs = list(_static_refs(path, text))
    return result


def _merge(by_code: dict[str, ContentHit], hit: ContentHit) -> None:
    """Rules of one code in one file make one hit: the worst severity wins outright (an
    embedding in markup says more than a mention in a script); equals add up."""
    seen = by_code.get(hit.code)
    if seen is None or SEVERITY_RANK[hit.severity] > SEVERITY_RANK[seen.severity]:
        by_code[hit.code] = hit
        return
    if SEVERITY_RANK[hit.severity] < SEVERITY_RANK[seen.severity]:
        return
    if hit.first_line < seen.first_line:
        seen.first_line, seen.sample, seen.what = hit.first_line, hit.sample, hit.what
    seen.count += hit.count


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _shorten(sample: str, limit: int = 120) -> str:
    sample = " ".join(sample.split())
    return sample if len(sample) <= limit else sample[: limit - 1] + "\u2026"


def mentioned_names(text: str) -> set[str]:
    """Base names of files a text mentions, to tell referenced files from dead weight."""
    names = set()
    candidates = set(_NAME_TOKEN.findall(text))  # minified scripts repeat the same names
    # Quoted names may hold spaces ("AC TEST.htm"), which end a token.
    candidates.update(quoted for quoted in _QUOTED.findall(text) if " " in quoted and "." in quoted)
    for candidate in candidates:
        base = candidate.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        if base:
            names.add(base)
            if "%" in base:
                names.add(unquote(base))
    return names


def _static_refs(path: str, text: str) -> Iterable[tuple[str, int]]:
    base_dir = posixpath.dirname(path)
    for match in _HTML_REF.finditer(text):
        value = match.group(3).strip()
        if not value or value.startswith(("#", "/", "data:", "javascript:", "mailto:", "about:", "blob:")):
            continue
        if "//" in value or ":" in value.split("/", 1)[0] or any(m in value for m in _DYNAMIC_MARKERS):
            continue
        target = unquote(value.split("#", 1)[0].split("?", 1)[0])
        if not target:
            continue
        resolved = posixpath.normpath(posixpath.join(base_dir, target))
        if resolved.startswith("../") or resolved == "..":
            continue  # leaves the package: the manifest checks own that complaint
        yield resolved, _line_of(text, match.start())
