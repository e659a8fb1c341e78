"""Zip entry names: decoding them as their authors meant, and the rules a safe name must follow."""
from __future__ import annotations

import re
import zipfile

from .findings import Finding, error

_FLAG_UTF8 = 0x800
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE_LETTER = re.compile(r"^[A-Za-z]:")


def decoded_name(zinfo: zipfile.ZipInfo) -> str:
    # orig_filename keeps what zipfile cuts at a NUL byte, so the name checks see it.
    name = zinfo.orig_filename
    if not zinfo.flag_bits & _FLAG_UTF8 and not name.isascii():
        # Many tools write UTF-8 names without setting the flag; zipfile then
        # shows them as cp437 mojibake that would never match the manifest.
        try:
            name = name.encode("cp437").decode("utf-8")
        except UnicodeError:
            pass
    return name


def name_problems(name: str) -> list[Finding]:
    shown = name.encode("unicode_escape").decode("ascii") if _CONTROL_CHARS.search(name) else name
    if not name:
        return [error("zip.bad_name", "an entry has an empty name", "(empty name)")]
    problems = []
    if _CONTROL_CHARS.search(name):
        problems.append(error("zip.bad_name", f"entry {shown!r} has control characters in its name", shown))
    if "\\" in name:
        problems.append(error("zip.backslash_path", f"entry {shown!r} uses backslashes in its path", shown))
        name = name.replace("\\", "/")
    absolute = name.startswith("/") or bool(_DRIVE_LETTER.match(name))
    if absolute:
        problems.append(error("zip.absolute_path", f"entry {shown!r} has an absolute path", shown))
    segments = (name[:-1] if name.endswith("/") else name).split("/")  # one trailing slash marks a folder
    if ".." in segments:
        problems.append(error("zip.path_traversal", f"entry {shown!r} climbs out of the package with '..'",
                              shown))
    elif not absolute and any(s in ("", ".") for s in segments):
        problems.append(error("zip.bad_name", f"entry {shown!r} has empty or '.' path segments", shown))
    return problems
