"""Extracted package files, served like a CDN at /<site>/content/<id>/<path> for container playback.

Each package is extracted once, on first use, into its own folder; members
that would land outside it (absolute, `..`, backslash names, symlinks) are
skipped, and the bytes actually inflated are capped.
"""
from __future__ import annotations

import logging
import os
import shutil
import stat
import tempfile
import threading
import zipfile
import zlib
from pathlib import Path, PurePosixPath

log = logging.getLogger(__name__)

DEFAULT_CONTENT_MAX_BYTES = 4 * 1024**3
DEFAULT_CONTENT_MAX_ENTRIES = 50_000
_CHUNK = 1024 * 1024


class ContentUnavailable(Exception):
    """The package's files cannot be served (not a zip, too large, unreadable)."""


class ContentStore:
    def __init__(self, root: Path, *, max_bytes: int = DEFAULT_CONTENT_MAX_BYTES,
                 max_entries: int = DEFAULT_CONTENT_MAX_ENTRIES):
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._locks: dict[int, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def folder(self, learning_id: int, zip_path: Path) -> Path:
        """The folder holding the package's files, extracting them on first use."""
        target = self.root / str(learning_id)
        with self._lock_for(learning_id):
            if not target.is_dir():
                self._extract(zip_path, target)
        return target

    def _lock_for(self, learning_id: int) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(learning_id, threading.Lock())

    def _extract(self, zip_path: Path, target: Path) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=self.root))
        try:
            self._extract_members(zip_path, partial)
            os.replace(partial, target)
        except (zipfile.BadZipFile, zlib.error, OSError, RuntimeError, EOFError, ValueError) as exc:
            raise ContentUnavailable(f"cannot extract {zip_path.name}: {exc}") from None
        finally:
            if partial.exists():
                shutil.rmtree(partial, ignore_errors=True)

    def _extract_members(self, zip_path: Path, dest: Path) -> None:
        budget = self.max_bytes
        with zipfile.ZipFile(zip_path) as archive:
            members = archive.infolist()
            if len(members) > self.max_entries:
                raise ContentUnavailable(f"{zip_path.name} has more than {self.max_entries} entries")
            for info in members:
                relative = _safe_member_path(info)
                if relative is None:
                    log.warning("sandbox: skipped unsafe member %r of %s", info.filename, zip_path.name)
                    continue
                out_path = dest.joinpath(*relative.parts)
                if info.is_dir():
                    out_path.mkdir(parents=True, exist_ok=True)
                    continue
                out_path.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, open(out_path, "xb") as sink:
                    while chunk := source.read(_CHUNK):
                        budget -= len(chunk)
                        if budget < 0:
                            raise ContentUnavailable(f"{zip_path.name} inflates past {self.max_bytes} bytes")
                        sink.write(chunk)


def _safe_member_path(info: zipfile.ZipInfo) -> PurePosixPath | None:
    name = info.filename
    if not name or "\\" in name or name.startswith("/") or "\x00" in name:
        return None
    if stat.S_ISLNK(info.external_attr >> 16):
        return None
    path = PurePosixPath(name)
    if any(part in ("..", ".") or ":" in part for part in path.parts):
        return None
    return path
