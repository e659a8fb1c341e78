"""Generated SCORM 1.2 package zips for the benchmarks: made from literals and random bytes, never downloaded."""
from __future__ import annotations

import os
import random
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

KiB = 1024
MiB = 1024 * KiB

SERVING_ASSET = "assets/bundle.js"
SERVING_VIDEO = "media/lecture.mp4"
SCO_HREF = "index.html"
SCO_ITEM = "item_1"

_WORDS = ("learner course module lesson quiz score answer question video slide chapter review "
          "objective interaction progress complete passed failed suspend resume bookmark "
          "function return var const let this window document element style display none block").split()


@dataclass(frozen=True)
class GeneratedPackage:
    path: Path
    files: dict[str, int]  # path inside the zip -> size in bytes

    @property
    def total_bytes(self) -> int:
        return sum(self.files.values())


def manifest(title: str, files: list[str]) -> bytes:
    """A SCORM 1.2 manifest: one organisation, one SCO launching index.html, listing every file."""
    file_elements = "".join(f"      <file href={quoteattr(name)}/>\n" for name in files)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="bench-{re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")}" version="1.0"
          xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org_1">
    <organization identifier="org_1"><title>{escape(title)}</title>
      <item identifier="{SCO_ITEM}" identifierref="res_1"><title>{escape(title)}</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res_1" type="webcontent" adlcp:scormtype="sco" href="{SCO_HREF}">
{file_elements}    </resource>
  </resources>
</manifest>
""".encode()


def _sco_page(title: str) -> bytes:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"<script src='{SERVING_ASSET}'></script></head><body><h1>{escape(title)}</h1>"
            "<script>var api = window.parent && window.parent.API; if (api) { api.LMSInitialize(''); }"
            "</script></body></html>").encode()


def text_corpus(size: int, seed: int) -> bytes:
    """Compressible, code-like text (deflates about 3:1, as course HTML and scripts do)."""
    rng = random.Random(seed)
    lines = []
    produced = 0
    while produced < size:
        line = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 14))) + f"; // {rng.random():.6f}\n"
        lines.append(line)
        produced += len(line)
    return "".join(lines).encode()[:size]


def _write_zip(path: Path, title: str, entries: list[tuple[str, bytes, int]]) -> GeneratedPackage:
    """entries: (name, data, compression). The manifest goes first, deflated."""
    names = [name for name, _, _ in entries]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("imsmanifest.xml", manifest(title, names), compress_type=zipfile.ZIP_DEFLATED)
        for name, data, compression in entries:
            archive.writestr(name, data, compress_type=compression)
    return GeneratedPackage(path, {name: len(data) for name, data, _ in entries})


def serving_package(path: Path, *, asset_bytes: int = 70 * KiB, video_bytes: int = 20 * MiB) -> GeneratedPackage:
    """The content-serving course: a launch page, a script asset and a 'video' of random bytes."""
    return _write_zip(path, "Serving benchmark", [
        (SCO_HREF, _sco_page("Serving benchmark"), zipfile.ZIP_DEFLATED),
        (SERVING_ASSET, text_corpus(asset_bytes, seed=70), zipfile.ZIP_DEFLATED),
        (SERVING_VIDEO, os.urandom(video_bytes), zipfile.ZIP_STORED),
    ])


def large_package(path: Path, *, total_bytes: int = 200 * MiB, file_count: int = 2000,
                  media_share: float = 0.85, media_every: int = 4) -> GeneratedPackage:
    """A big course: every `media_every`-th file is media (random bytes, stored, as authoring tools
    store already-compressed files), the rest deflated text; media carry `media_share` of the bytes."""
    others = file_count - 2  # the manifest and the launch page are two of the files
    media_count = len(range(0, others, media_every))
    media_size = int(total_bytes * media_share) // media_count
    text_size = int(total_bytes * (1 - media_share)) // (others - media_count)
    corpus = text_corpus(text_size * 8, seed=200)
    entries = [(SCO_HREF, _sco_page("Large course"), zipfile.ZIP_DEFLATED)]
    for n in range(others):
        if n % media_every == 0:
            entries.append((f"media/m{n // 50:02d}/clip{n:04d}.mp3", os.urandom(media_size), zipfile.ZIP_STORED))
            continue
        start = (n * 7919) % (len(corpus) - text_size)
        folder, ext = (("js", "js"), ("css", "css"), ("html", "html"), ("data", "json"))[n % 4]
        data = f"/* file {n} */\n".encode() + corpus[start:start + text_size]
        entries.append((f"{folder}/d{n // 100:02d}/f{n:04d}.{ext}", data, zipfile.ZIP_DEFLATED))
    return _write_zip(path, "Large course", entries)


def small_package(path: Path, number: int, *, file_count: int = 8, file_bytes: int = 6 * KiB) -> GeneratedPackage:
    """A small course whose files are unique to it (so mirroring finds nothing to reuse)."""
    entries = [(SCO_HREF, _sco_page(f"Course {number}"), zipfile.ZIP_DEFLATED)]
    for n in range(file_count - 1):
        data = f"/* course {number} file {n} */\n".encode() + text_corpus(file_bytes, seed=number * 100 + n)
        entries.append((f"pages/p{n}.js", data, zipfile.ZIP_DEFLATED))
    return _write_zip(path, f"Course {number:03d}", entries)
