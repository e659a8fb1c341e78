"""Property tests: whatever the bytes, the parsers answer with a model or a PackageError, nothing else."""
from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scormproxy.packages import Manifest, PackageError, ZipLimits, open_package_zip, parse_manifest
from scormproxy.packages.hrefs import Href, resolve

from .manifests import manifest_2004
from .zipbuilder import MINIMAL_MANIFEST
from .test_sequencing import FULL

TRICKY = ["", " ", "..", "../x", "/", "//host/x", "javascript:x", "http://x/", "NaN", "inf", "-1", "1e999", "0.5",
          "true", "FALSE", "never", "always", "all", "%2e%2e/", "a\\b", "?", "#", "&", "é", "common"]
values = st.one_of(st.sampled_from(TRICKY), st.text(max_size=12))

# A manifest whose every attribute value and text node is a hole for hypothesis to fill.
TEMPLATE = manifest_2004(
    items='<item identifier="i1" identifierref="r1" isvisible="true" parameters="?a=1"><title>T</title>'
          '<adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.5" progressWeight="1"/>'
          '<adlcp:masteryscore>80</adlcp:masteryscore><adlcp:timeLimitAction>exit,message</adlcp:timeLimitAction>'
          '<adlnav:presentation><adlnav:navigationInterface><adlnav:hideLMSUI>continue</adlnav:hideLMSUI>'
          '</adlnav:navigationInterface></adlnav:presentation>'
          + FULL.replace("<imsss:sequencing>", '<imsss:sequencing IDRef="common">') + "</item>",
    resources='<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="index.html" '
              'xml:base="a/"><file href="index.html"/><dependency identifierref="r1"/></resource>',
    extra='<imsss:sequencingCollection><imsss:sequencing ID="common"><imsss:controlMode flow="true"/>'
          '</imsss:sequencing></imsss:sequencingCollection>',
    metadata="<adlcp:location>meta.xml</adlcp:location>",
).decode()
PROLOG, BODY = TEMPLATE.split("\n", 1)
_PIECES = BODY.split('"')
# Indexes of the pieces that are attribute values (namespace declarations excluded).
HOLES = [i for i in range(1, len(_PIECES), 2)
         if _PIECES[i - 1].endswith("=") and "xmlns" not in _PIECES[i - 1].rsplit(" ", 1)[-1]]


def fill(changes: dict[int, str], texts: list[str]) -> bytes:
    """The template with some attribute values (by hole number) and some title texts replaced."""
    pieces = list(_PIECES)
    for hole, value in changes.items():
        pieces[HOLES[hole % len(HOLES)]] = quoteattr(value)[1:-1]
    document = '"'.join(pieces)
    for text in texts:
        document = document.replace(">T<", ">" + escape(text) + "<", 1)
    return (PROLOG + "\n" + document).encode("utf-8", "surrogatepass")


def answer(data: bytes, **kwargs):
    try:
        return parse_manifest(data, **kwargs)
    except PackageError as exc:
        assert exc.errors, "a PackageError always carries its errors"
        return exc


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data):
    assert isinstance(answer(data), (Manifest, PackageError))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.integers(min_value=0, max_value=len(HOLES) - 1), values, max_size=6),
       st.lists(values, max_size=3))
def test_manifests_with_arbitrary_values(changes, texts):
    data = fill(changes, texts)
    result = answer(data, files={"a/index.html"}, read_file=lambda path: b"<lom/>")
    if isinstance(result, Manifest):
        for item in result.launchable_items():
            assert not item.launch_href.startswith(("/", "javascript:", "http"))
            assert ".." not in item.resource.href_path.split("/")


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=len(TEMPLATE) - 1), st.integers(min_value=1, max_value=40),
       st.binary(max_size=8))
def test_mutated_manifests(position, length, insert):
    data = TEMPLATE.encode()
    mutated = data[:position] + insert + data[position + length:]
    assert isinstance(answer(mutated, files={"a/index.html"}), (Manifest, PackageError))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=10), max_size=3), st.text(max_size=30))
def test_resolved_hrefs_never_leave_the_package(bases, href):
    resolved = resolve(bases, href)
    if isinstance(resolved, Href):
        parts = resolved.path.split("/")
        assert "" not in parts and "." not in parts and ".." not in parts
        assert not resolved.url.lower().startswith(("javascript:", "http:", "https:", "//", "/"))


def _small_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", MINIMAL_MANIFEST)
        archive.writestr("index.html", "<p>" + "hello " * 50 + "</p>")
        archive.writestr("img/a.bin", bytes(range(256)))
    return buffer.getvalue()


SMALL_ZIP = _small_zip()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=len(SMALL_ZIP) - 1), st.integers(0, 255)),
                min_size=1, max_size=4))
def test_damaged_zips_only_ever_raise_package_error(flips):
    data = bytearray(SMALL_ZIP)
    for position, value in flips:
        data[position] = value
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.zip"
        path.write_bytes(bytes(data))
        try:
            with open_package_zip(path, ZipLimits(max_file_bytes=4096, max_total_bytes=8192)) as package:
                package.verify()
        except PackageError as exc:
            assert exc.errors
