"""Counting a zip's central directory records before zipfile loads them all into memory."""
from __future__ import annotations

import struct
from typing import BinaryIO

_EOCD = struct.Struct("<4s4H2LH")
_EOCD_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"
_CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")
_CENTRAL_SIGNATURE = b"PK\x01\x02"
_MAX_COMMENT = 0xFFFF


def count_central_records(fp: BinaryIO, stop_after: int) -> int | None:
    """Central directory records actually present, counted up to `stop_after` + 1.

    zipfile reads the whole central directory and builds one object per record,
    trusting neither the declared count nor any limit, so a crafted archive with
    millions of records costs memory before any check can run. This walk keeps
    constant memory and stops as soon as the limit is passed. None means the
    archive is not readable this way; zipfile will then say why.
    """
    located = _locate_central_directory(fp)
    if located is None:
        return None
    start, size = located
    fp.seek(start)
    count, consumed = 0, 0
    while consumed < size and count <= stop_after:
        header = fp.read(_CENTRAL_HEADER.size)
        if len(header) < _CENTRAL_HEADER.size or header[:4] != _CENTRAL_SIGNATURE:
            return None
        fields = _CENTRAL_HEADER.unpack(header)
        name_len, extra_len, comment_len = fields[12], fields[13], fields[14]
        skip = name_len + extra_len + comment_len
        fp.seek(skip, 1)
        consumed += _CENTRAL_HEADER.size + skip
        count += 1
    return count


def _locate_central_directory(fp: BinaryIO) -> tuple[int, int] | None:
    fp.seek(0, 2)
    file_size = fp.tell()
    tail_len = min(file_size, _EOCD.size + _MAX_COMMENT)
    fp.seek(file_size - tail_len)
    tail = fp.read(tail_len)
    at = tail.rfind(_EOCD_SIGNATURE)
    if at < 0 or len(tail) - at < _EOCD.size:
        return None
    eocd_pos = file_size - tail_len + at
    _, _, _, _, _, cd_size, cd_offset, _ = _EOCD.unpack(tail[at:at + _EOCD.size])
    end_of_cd = eocd_pos
    if eocd_pos >= _ZIP64_LOCATOR.size:
        fp.seek(eocd_pos - _ZIP64_LOCATOR.size)
        locator = fp.read(_ZIP64_LOCATOR.size)
        if locator[:4] == _ZIP64_LOCATOR_SIGNATURE:
            end_of_cd = eocd_pos - _ZIP64_LOCATOR.size - _ZIP64_EOCD.size
            if end_of_cd < 0:
                return None
            fp.seek(end_of_cd)
            record = fp.read(_ZIP64_EOCD.size)
            if len(record) < _ZIP64_EOCD.size or record[:4] != _ZIP64_EOCD_SIGNATURE:
                return None
            cd_size = _ZIP64_EOCD.unpack(record)[8]
    # Like zipfile, place the directory just before its end record, which also
    # copes with data prepended to the archive (self-extractors).
    start = end_of_cd - cd_size
    if start < 0:
        return None
    return start, cd_size
