"""Zip safety: open a package zip from a file, refuse hostile entries, count bytes as they inflate."""
from __future__ import annotations

import hashlib
import io
import os
import stat
import struct
import threading
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from .findings import Finding, PackageError, error, warning
from .zipdirectory import count_central_records
from .zipnames import decoded_name, name_problems
from .zipstream import CHUNK_BYTES, open_member

MiB = 1024 * 1024
GiB = 1024 * MiB
MANIFEST_NAME = "imsmanifest.xml"

# zipfile inflates bzip2 and LZMA without an output bound per read, so one read of
# a crafted entry can take gigabytes of memory; authoring tools only use these two.
_SUPPORTED_COMPRESSION = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
_FLAG_ENCRYPTED = 0x1
_FLAG_STRONG_ENCRYPTION = 0x40
_LOCAL_HEADER_BYTES = 30


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int = 20000
    max_file_bytes: int = 1 * GiB
    max_total_bytes: int = 4 * GiB
    max_ratio: int = 200
    manifest_max_bytes: int = 8 * MiB
    # Small files (blank images, padded JSON) can legitimately compress far
    # better than max_ratio; a ratio only signals a bomb when the output is big.
    ratio_min_bytes: int = 1 * MiB

    @classmethod
    def from_settings(cls, settings) -> "ZipLimits":
        defaults = cls()
        return cls(
            max_entries=settings.zip_max_entries,
            max_file_bytes=settings.zip_max_file_bytes,
            max_total_bytes=settings.zip_max_total_bytes,
            max_ratio=settings.zip_max_ratio,
            manifest_max_bytes=settings.manifest_max_bytes,
            ratio_min_bytes=getattr(settings, "zip_ratio_min_bytes", defaults.ratio_min_bytes),
        )


@dataclass(frozen=True)
class ZipEntry:
    path: str  # normalised posix path, no trailing slash
    size: int  # declared inflated size (checked against the real one while inflating)
    compressed_size: int
    crc: int
    is_dir: bool


def open_package_zip(path: str | os.PathLike, limits: ZipLimits = ZipLimits()) -> "PackageZip":
    """Open a package zip from a file on disk and check its central directory.

    Every problem found in the directory is collected and raised together as one
    PackageError; nothing is inflated yet.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError("open_package_zip takes a file path: packages are never held in memory")
    fp = open(path, "rb")
    try:
        location = os.path.basename(os.fspath(path))
        records = count_central_records(fp, stop_after=limits.max_entries)
        if records is not None and records > limits.max_entries:
            raise PackageError([_too_many(limits, location)])
        fp.seek(0)
        try:
            archive = zipfile.ZipFile(fp)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError,
                UnicodeDecodeError, struct.error) as exc:
            raise PackageError([error("zip.not_a_zip", f"not a readable zip file ({exc})", location)]) from None
        return PackageZip(fp, archive, limits, location)
    except BaseException:
        fp.close()
        raise


def _too_many(limits: ZipLimits, location: str) -> Finding:
    return error("zip.too_many_entries", f"the zip has more than {limits.max_entries} entries", location)


class PackageZip:
    """An opened, directory-checked package zip. Use as a context manager."""

    def __init__(self, fp: BinaryIO, archive: zipfile.ZipFile, limits: ZipLimits, location: str):
        self._fp = fp
        self._archive = archive
        self.limits = limits
        self.location = location
        self._lock = threading.Lock()
        self._inflated: dict[str, int] = {}
        self._inflated_total = 0
        self._infos: dict[str, zipfile.ZipInfo] = {}
        self._files: dict[str, ZipEntry] = {}
        self.entries: list[ZipEntry] = []
        self.findings: list[Finding] = []
        self.manifest_path: str | None = None
        try:
            self._check_directory()
        except BaseException:
            self.close()
            raise

    # -- directory checks -------------------------------------------------
    def _check_directory(self) -> None:
        infos = self._archive.infolist()
        if len(infos) > self.limits.max_entries:
            raise PackageError([_too_many(self.limits, self.location)])
        problems: list[Finding] = []
        seen_names: set[str] = set()
        seen_folded: dict[str, str] = {}
        declared_total = 0
        for zinfo in infos:
            name = decoded_name(zinfo)
            entry_problems = name_problems(name)
            entry_problems += self._attribute_problems(zinfo, name)
            problems += entry_problems
            if entry_problems:
                continue
            is_dir = name.endswith("/")
            path = name.rstrip("/")
            if name in seen_names:
                problems.append(error("zip.duplicate_name", f"entry {name!r} appears more than once", name))
                continue
            folded = unicodedata.normalize("NFC", path).casefold()
            if folded in seen_folded and seen_folded[folded] != path:
                self.findings.append(warning(
                    "zip.duplicate_name_case",
                    f"entries {seen_folded[folded]!r} and {path!r} differ only in case or accents; "
                    "they collide on case-insensitive file systems", name))
            seen_folded.setdefault(folded, path)
            seen_names.add(name)
            entry = ZipEntry(path, zinfo.file_size, zinfo.compress_size, zinfo.CRC, is_dir)
            self.entries.append(entry)
            if not is_dir:
                self._infos[path] = zinfo
                self._files[path] = entry
                declared_total += zinfo.file_size
        if declared_total > self.limits.max_total_bytes:
            problems.append(error("zip.too_large", f"the entries declare {declared_total} bytes inflated, more "
                                  f"than the {self.limits.max_total_bytes} allowed", self.location))
        problems += self._conflicts_and_overlaps()
        problems += self._find_manifest()
        if any(p.severity == "error" for p in problems):
            raise PackageError(problems + self.findings)
        self.findings += problems

    def _attribute_problems(self, zinfo: zipfile.ZipInfo, name: str) -> list[Finding]:
        problems = []
        file_type = stat.S_IFMT(zinfo.external_attr >> 16)
        if file_type == stat.S_IFLNK:
            problems.append(error("zip.symlink", f"entry {name!r} is a symbolic link", name))
        elif file_type not in (0, stat.S_IFREG, stat.S_IFDIR):
            problems.append(error("zip.special_file", f"entry {name!r} is not a regular file or folder", name))
        if zinfo.flag_bits & (_FLAG_ENCRYPTED | _FLAG_STRONG_ENCRYPTION):
            problems.append(error("zip.encrypted", f"entry {name!r} is encrypted", name))
        if zinfo.compress_type not in _SUPPORTED_COMPRESSION:
            problems.append(error("zip.unsupported_compression",
                                  f"entry {name!r} uses compression method {zinfo.compress_type}", name))
        limits = self.limits
        if zinfo.file_size > limits.max_file_bytes:
            problems.append(error("zip.file_too_large", f"entry {name!r} declares {zinfo.file_size} bytes, more "
                                  f"than the {limits.max_file_bytes} allowed for one file", name))
        elif zinfo.file_size > limits.ratio_min_bytes and \
                zinfo.file_size > limits.max_ratio * max(zinfo.compress_size, 1):
            problems.append(error("zip.ratio_exceeded", f"entry {name!r} would inflate more than "
                                  f"{limits.max_ratio} times its compressed size", name))
        return problems

    def _conflicts_and_overlaps(self) -> list[Finding]:
        problems = []
        folders = {e.path for e in self.entries if e.is_dir}
        for entry in self.entries:
            parts = entry.path.split("/")
            for depth in range(1, len(parts)):
                parent = "/".join(parts[:depth])
                if parent in self._infos:
                    problems.append(error("zip.path_conflict", f"{parent!r} is a file but {entry.path!r} "
                                          "needs it to be a folder", entry.path))
            if not entry.is_dir and entry.path in folders:
                problems.append(error("zip.path_conflict", f"{entry.path!r} is both a file and a folder",
                                      entry.path))
        # Entries sharing compressed bytes let a small zip inflate many times over
        # (the "overlapping files" zip bomb); honest archives never do this.
        spans = sorted((z.header_offset, z.compress_size, z.filename) for z in self._infos.values())
        for (offset, size, name), (next_offset, _, next_name) in zip(spans, spans[1:]):
            if offset + _LOCAL_HEADER_BYTES + size > next_offset:
                problems.append(error("zip.overlapping_entries",
                                      f"entries {name!r} and {next_name!r} overlap in the archive", next_name))
        return problems

    def _find_manifest(self) -> list[Finding]:
        if MANIFEST_NAME in self._infos:
            self.manifest_path = MANIFEST_NAME
            return []
        for path in self._infos:
            if "/" not in path and path.lower() == MANIFEST_NAME:
                self.manifest_path = path
                return [warning("zip.manifest_case", f"the manifest is named {path!r}, not {MANIFEST_NAME!r}",
                                path)]
        nested = sorted(p for p in self._infos if p.lower().endswith("/" + MANIFEST_NAME))
        hint = f"; found {nested[0]!r}: it must be at the root of the zip" if nested else ""
        return [error("zip.manifest_missing", f"no {MANIFEST_NAME} at the root of the zip{hint}", self.location)]

    # -- reading ----------------------------------------------------------
    @property
    def files(self) -> set[str]:
        return set(self._infos)

    @property
    def inflated_bytes(self) -> int:
        """Bytes actually inflated so far, each file counted once however often it was read."""
        return self._inflated_total

    def entry(self, path: str) -> ZipEntry:
        if path in self._files:
            return self._files[path]
        raise PackageError([error("zip.no_such_file", f"no file {path!r} in the zip", path)])

    def open(self, path: str) -> io.BufferedReader:
        """A binary stream of one file; reads raise PackageError on limits, bad CRC or lying headers."""
        entry = self.entry(path)
        return open_member(self._archive, self._infos[path], path,
                           lambda produced: self._account(entry, produced))

    def read(self, path: str, max_bytes: int) -> bytes:
        """The whole of a small file (manifest, metadata), refused beyond max_bytes."""
        entry = self.entry(path)
        too_big = error("zip.file_too_large", f"{path!r} is larger than the {max_bytes} bytes allowed", path)
        if entry.size > max_bytes:
            raise PackageError([too_big])
        with self.open(path) as stream:
            data = stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise PackageError([too_big])
        return data

    def verify(self) -> list[tuple[ZipEntry, str]]:
        """Inflate every file once in constant memory, checking limits and CRCs; return sha256 hashes."""
        hashes, problems = [], []
        for entry in self.entries:
            if entry.is_dir:
                continue
            digest = hashlib.sha256()
            try:
                with self.open(entry.path) as stream:
                    while chunk := stream.read(CHUNK_BYTES):
                        digest.update(chunk)
            except PackageError as exc:
                problems += exc.errors
                if "zip.too_large" in exc.codes:
                    break
                continue
            hashes.append((entry, digest.hexdigest()))
        if problems:
            raise PackageError(problems)
        return hashes

    def _account(self, entry: ZipEntry, produced: int) -> None:
        """Record bytes inflated; the package total counts each file once, however often it is read."""
        with self._lock:
            before = self._inflated.get(entry.path, 0)
            if produced > before:
                self._inflated[entry.path] = produced
                self._inflated_total += produced - before
            total = self._inflated_total
        limits = self.limits
        if produced > limits.max_file_bytes:
            raise PackageError([error("zip.file_too_large", f"entry {entry.path!r} inflates past "
                                      f"{limits.max_file_bytes} bytes", entry.path)])
        if produced > limits.ratio_min_bytes and produced > limits.max_ratio * max(entry.compressed_size, 1):
            raise PackageError([error("zip.ratio_exceeded", f"entry {entry.path!r} inflates more than "
                                      f"{limits.max_ratio} times its compressed size", entry.path)])
        if total > limits.max_total_bytes:
            raise PackageError([error("zip.too_large", f"the package inflates past {limits.max_total_bytes} "
                                      "bytes", entry.path)])

    def close(self) -> None:
        try:
            self._archive.close()
        finally:
            self._fp.close()

    def __enter__(self) -> "PackageZip":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
