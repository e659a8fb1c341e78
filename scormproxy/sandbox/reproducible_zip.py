"""Byte-identical zips from the same inputs: fixed timestamps, order and attributes."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Iterable

# Zip timestamps have no time zone and start in 1980; any fixed value works.
FIXED_DATE_TIME = (2024, 1, 1, 0, 0, 0)
_UNIX = 3
_REGULAR_FILE_MODE = 0o100644


def zip_bytes(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """A deflated zip of (archive name, content) pairs, in the order given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = _UNIX
            info.external_attr = _REGULAR_FILE_MODE << 16
            archive.writestr(info, content, compresslevel=9)
    return buffer.getvalue()


def write_atomically(path: Path, content: bytes) -> None:
    """Readers of `path` see the old file or the new one, never half of it."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(content)
    os.replace(partial, path)
