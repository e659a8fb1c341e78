"""One pass over a package zip: every file's size, SHA-256 and media type, and the text files scanned."""
from __future__ import annotations

import hashlib
import mimetypes
import posixpath
from dataclasses import dataclass, field

from ..packages import Finding, PackageError, PackageZip
from . import content_scan
from .content_rules import PLUGIN_NAMES
from .content_scan import SCAN_MAX_BYTES, ContentHit

MiB = 1024 * 1024
OVERSIZED_FILE_BYTES = 50 * MiB
READ_CHUNK_BYTES = 1024 * 1024

# The standard library's built-in table (not the host's /etc/mime.types, so reports
# do not differ between machines), completed for what e-learning packages carry.
_BUILTIN_TYPES = mimetypes.MimeTypes().types_map[True]
_EXTRA_TYPES = {
    ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json", ".map": "application/json",
    ".xml": "application/xml", ".xsd": "application/xml", ".dtd": "application/xml-dtd",
    ".svg": "image/svg+xml", ".webp": "image/webp", ".woff": "font/woff", ".woff2": "font/woff2",
    ".ttf": "font/ttf", ".otf": "font/otf", ".eot": "application/vnd.ms-fontobject",
    ".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm", ".ogv": "video/ogg",
    ".ogg": "audio/ogg", ".oga": "audio/ogg", ".m4a": "audio/mp4", ".vtt": "text/vtt",
    ".swf": "application/x-shockwave-flash", ".flv": "video/x-flv", ".dcr": "application/x-director",
    ".xap": "application/x-silverlight-app", ".jar": "application/java-archive", ".class": "application/java-vm",
}
_TEXT_DEFAULT = "text/plain"
_BINARY_DEFAULT = "application/octet-stream"
_OS_METADATA_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


@dataclass
class FileRecord:
    path: str
    size: int
    compressed_size: int
    sha256: str | None  # None when the file could not be read whole
    media_type: str


@dataclass
class Inventory:
    files: list[FileRecord] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    mentioned_names: set[str] = field(default_factory=set)  # base names named by any scanned file
    content_refs: list[tuple[str, str, int]] = field(default_factory=list)  # (from file, package path, line)


def media_type(path: str, text_kind: str | None = None) -> str:
    ext = posixpath.splitext(path.lower())[1]
    found = _EXTRA_TYPES.get(ext) or _BUILTIN_TYPES.get(ext)
    if found:
        return found
    return _TEXT_DEFAULT if text_kind else _BINARY_DEFAULT


def is_os_metadata(path: str) -> bool:
    """Files operating systems leave behind when zipping; never part of the course."""
    base = posixpath.basename(path)
    return path.startswith("__MACOSX/") or base in _OS_METADATA_NAMES or base.startswith("._")


# Media and fonts are never scanned; when their hash is already known they are not read at all.
NEVER_TEXT = frozenset("png jpg jpeg gif webp bmp ico svgz mp4 m4v m4a mov webm avi mp3 wav ogg oga ogv flac "
                       "aac woff woff2 ttf otf eot pdf zip gz bin dat psd".split())


def take_inventory(package: PackageZip, *, scan_max_bytes: int = SCAN_MAX_BYTES,
                   oversized_bytes: int = OVERSIZED_FILE_BYTES,
                   known_hashes: dict[str, str] | None = None, read_media: bool = True) -> Inventory:
    """Inflate each file once (the zip's limits apply as it streams), hashing it and scanning it if it is text.

    `known_hashes` (path -> sha256, from a caller that verified the zip already) spares
    reading media files a second time; `read_media=False` leaves media unread and unhashed."""
    inventory = Inventory()
    stop_reading = False
    known = known_hashes or {}
    for entry in package.entries:
        if entry.is_dir:
            continue
        digest, kind = None, None
        extension = entry.path.rsplit(".", 1)[-1].lower() if "." in entry.path else ""
        if extension in NEVER_TEXT and (entry.path in known or not read_media):
            digest = known.get(entry.path)
        elif not stop_reading:
            try:
                digest, kind = _read_entry(package, entry.path, inventory, scan_max_bytes)
            except PackageError as exc:
                inventory.findings += exc.findings
                # Past the package's inflation budget every further read fails the same way.
                stop_reading = "zip.too_large" in exc.codes
        inventory.files.append(FileRecord(entry.path, entry.size, entry.compressed_size, digest,
                                          media_type(entry.path, kind)))
        inventory.findings += _file_findings(entry.path, entry.size, oversized_bytes)
    return inventory


def _read_entry(package: PackageZip, path: str, inventory: Inventory, scan_max_bytes: int):
    digest = hashlib.sha256()
    kept: list[bytes] = []
    kept_bytes = 0
    with package.open(path) as stream:
        first = stream.read(READ_CHUNK_BYTES)
        kind = content_scan.text_kind(path, first[:content_scan.SNIFF_BYTES])
        chunk = first
        while chunk:
            digest.update(chunk)
            if kind and kept_bytes <= scan_max_bytes:
                kept.append(chunk)
                kept_bytes += len(chunk)
            chunk = stream.read(READ_CHUNK_BYTES)
    if kind:
        data = b"".join(kept)
        _scan(path, data, kind, scan_max_bytes, inventory)
    return digest.hexdigest(), kind


def _scan(path: str, data: bytes, kind: str, scan_max_bytes: int, inventory: Inventory) -> None:
    result = content_scan.scan_bytes(path, data, kind, scan_max_bytes)
    inventory.findings += [_hit_finding(hit) for hit in result.hits]
    inventory.mentioned_names |= result.names
    inventory.content_refs += [(path, target, line) for target, line in result.local_refs]
    if result.truncated:
        inventory.findings.append(Finding("info", "content.scan_truncated", f"only the first {scan_max_bytes} "
                                          "bytes of this file were scanned", path))


def _hit_finding(hit: ContentHit) -> Finding:
    return Finding(hit.severity, hit.code, hit.message, hit.location)


def _file_findings(path: str, size: int, oversized_bytes: int) -> list[Finding]:
    findings = []
    plugin = content_scan.plugin_file_code(path)
    if plugin:
        findings.append(Finding("warning", plugin, f"{PLUGIN_NAMES[plugin]} file: no current browser plays it",
                                path))
    if size > oversized_bytes:
        findings.append(Finding("warning", "files.oversized", f"{size} bytes, more than {oversized_bytes}: slow "
                                "for learners to load and for the service to mirror", path))
    return findings
