"""Test helper: package zips from dict literals, and surgery on their headers to craft hostile ones."""
from __future__ import annotations

import stat
import struct
import warnings
import zipfile
from pathlib import Path

MINIMAL_MANIFEST = b"""<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Course</title>
    <item identifier="i1" identifierref="r1"><title>Lesson</title></item>
  </organization></organizations>
  <resources><resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html">
    <file href="index.html"/></resource></resources>
</manifest>"""


def build_zip(path: Path, files: dict[str, bytes | str], *, compression: int = zipfile.ZIP_DEFLATED,
              with_manifest: bool = False) -> Path:
    """A zip of `files` (name -> content); names are written exactly as given, duplicates allowed
    when passed as a list of pairs through build_zip_entries."""
    entries = list(files.items())
    if with_manifest and "imsmanifest.xml" not in files:
        entries.insert(0, ("imsmanifest.xml", MINIMAL_MANIFEST))
    return build_zip_entries(path, entries, compression=compression)


def build_zip_entries(path: Path, entries: list[tuple[str, bytes | str]], *,
                      compression: int = zipfile.ZIP_DEFLATED, symlinks: tuple[str, ...] = ()) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names, which some tests want
        with zipfile.ZipFile(path, "w", compression) as archive:
            for name, content in entries:
                info = zipfile.ZipInfo(name)
                info.compress_type = compression
                if name in symlinks:
                    info.create_system = 3
                    info.external_attr = (stat.S_IFLNK | 0o777) << 16
                data = content.encode() if isinstance(content, str) else content
                archive.writestr(info, data)
    return path


# Offsets inside a central directory record (APPNOTE 4.3.12) and a local header (4.3.7).
_CENTRAL = {"flag_bits": (8, "<H"), "compress_type": (10, "<H"), "crc": (16, "<L"), "compress_size": (20, "<L"),
            "file_size": (24, "<L"), "external_attr": (38, "<L"), "header_offset": (42, "<L")}
_LOCAL = {"flag_bits": (6, "<H"), "compress_type": (8, "<H"), "crc": (14, "<L"), "compress_size": (18, "<L"),
          "file_size": (22, "<L")}


def patch_entry(path: Path, name: str, *, local: bool = False, **fields: int) -> None:
    """Rewrite header fields of entry `name` in the central directory (and the local header if asked)."""
    data = bytearray(path.read_bytes())
    record = _central_record(data, name)
    for field, value in fields.items():
        offset, fmt = _CENTRAL[field]
        struct.pack_into(fmt, data, record + offset, value)
    if local:
        local_offset = struct.unpack_from("<L", data, record + 42)[0]
        for field, value in fields.items():
            if field in _LOCAL:
                offset, fmt = _LOCAL[field]
                struct.pack_into(fmt, data, local_offset + offset, value)
    path.write_bytes(bytes(data))


def read_entry_field(path: Path, name: str, field: str) -> int:
    data = path.read_bytes()
    offset, fmt = _CENTRAL[field]
    return struct.unpack_from(fmt, data, _central_record(data, name) + offset)[0]


def replace_bytes(path: Path, old: bytes, new: bytes) -> None:
    """Replace every occurrence of `old` with `new` (same length): names in both headers, data bytes."""
    assert len(old) == len(new)
    data = path.read_bytes()
    assert old in data, old
    path.write_bytes(data.replace(old, new))


def flip_data_byte(path: Path, name: str, index: int = 0) -> None:
    """Corrupt one byte of an entry's stored data, leaving every header intact."""
    data = bytearray(path.read_bytes())
    record = _central_record(data, name)
    local = struct.unpack_from("<L", data, record + 42)[0]
    name_len, extra_len = struct.unpack_from("<HH", data, local + 26)
    data[local + 30 + name_len + extra_len + index] ^= 0xFF
    path.write_bytes(bytes(data))


def _central_record(data: bytes | bytearray, name: str) -> int:
    eocd = data.rfind(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack_from("<LL", data, eocd + 12)
    position = cd_offset
    while position < cd_offset + cd_size:
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, position + 28)
        raw_name = bytes(data[position + 46:position + 46 + name_len])
        if raw_name in (name.encode("utf-8"), name.encode("cp437", errors="replace")):
            return position
        position += 46 + name_len + extra_len + comment_len
    raise KeyError(name)
