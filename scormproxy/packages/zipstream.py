"""One zip member as a stream that counts the bytes it inflates and speaks only PackageError."""
from __future__ import annotations

import copy
import io
import lzma
import zipfile
import zlib
from typing import Callable

from .findings import Finding, PackageError, error

CHUNK_BYTES = 1024 * 1024

_ZIP_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError,
                    lzma.LZMAError, OSError, ValueError, UnicodeDecodeError)


def open_member(archive: zipfile.ZipFile, zinfo: zipfile.ZipInfo, path: str,
                account: Callable[[int], None]) -> io.BufferedReader:
    """Stream `zinfo`, calling `account(bytes produced so far)` after every read.

    `account` raises PackageError when a limit is crossed; this stream adds the
    checks that the produced size matches the declared one, and maps zipfile's
    errors (bad CRC among them) to PackageError.
    """
    declared = zinfo.file_size
    widened = copy.copy(zinfo)
    # zipfile stops at the declared size and then checks the CRC. Widening its
    # budget by one read-ahead (while _CountingReader never asks past declared + 1)
    # lets a header that understates the size be caught on the bytes actually
    # produced, as a size mismatch rather than a puzzling CRC error.
    widened.file_size = declared + zipfile.ZipExtFile.MIN_READ_SIZE + 1
    try:
        raw = archive.open(widened)
    except _ZIP_READ_ERRORS as exc:
        raise PackageError([read_error(exc, path)]) from None
    return io.BufferedReader(_CountingReader(raw, path, declared, account), CHUNK_BYTES)


class _CountingReader(io.RawIOBase):
    def __init__(self, raw, path: str, declared: int, account: Callable[[int], None]):
        self._raw, self._path, self._declared, self._account = raw, path, declared, account
        self._produced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._raw.read(min(len(buffer), CHUNK_BYTES, self._declared + 1 - self._produced))
        except _ZIP_READ_ERRORS as exc:
            raise PackageError([read_error(exc, self._path)]) from None
        count = len(data)
        buffer[:count] = data
        self._produced += count
        if self._produced > self._declared:
            raise PackageError([error("zip.size_mismatch", f"entry {self._path!r} inflates to more than the "
                                      f"{self._declared} bytes its header declares", self._path)])
        self._account(self._produced)
        if count == 0 and len(buffer) and self._produced != self._declared:
            raise PackageError([error("zip.size_mismatch", f"entry {self._path!r} inflates to "
                                      f"{self._produced} bytes, not the {self._declared} its header declares",
                                      self._path)])
        return count

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


def read_error(exc: BaseException, path: str) -> Finding:
    text = str(exc)
    if isinstance(exc, zipfile.BadZipFile) and "CRC" in text:
        return error("zip.bad_crc", f"entry {path!r} fails its CRC check", path)
    if isinstance(exc, EOFError):
        return error("zip.truncated", f"entry {path!r} ends before its compressed data does", path)
    if isinstance(exc, RuntimeError) and "encrypted" in text:
        return error("zip.encrypted", f"entry {path!r} is encrypted", path)
    if isinstance(exc, NotImplementedError):
        return error("zip.unsupported_compression", f"entry {path!r}: {text}", path)
    return error("zip.corrupt", f"entry {path!r} cannot be inflated ({text})", path)
