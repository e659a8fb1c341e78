"""Hardened XML parsing: DTDs, entities and malformed documents refused with specific codes."""
from __future__ import annotations

import time

import pytest

from scormproxy.packages import PackageError, parse_xml

BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY l0 "lol">'
                  + "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10}">' for i in range(1, 10))
                  + ']><manifest a="&l9;">&l9;</manifest>').encode()


@pytest.mark.parametrize("document", [
    pytest.param(b'<!DOCTYPE manifest><manifest/>', id="bare-doctype"),
    pytest.param(b'<?xml version="1.0"?><!DOCTYPE m SYSTEM "http://127.0.0.1:9/evil.dtd"><manifest/>',
                 id="external-dtd"),
    pytest.param(b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                 b'<manifest>&x;</manifest>', id="external-entity"),
    pytest.param(BILLION_LAUGHS, id="billion-laughs"),
    pytest.param('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE m [<!ENTITY x "y">]><manifest>&x;</manifest>'
                 .encode("utf-16"), id="utf16-doctype"),
])
def test_any_document_type_declaration_is_refused(document):
    started = time.monotonic()
    with pytest.raises(PackageError) as caught:
        parse_xml(document, "imsmanifest.xml")
    assert caught.value.codes == ["xml.dtd_forbidden"]
    assert time.monotonic() - started < 1  # refused before any expansion


@pytest.mark.parametrize("document, line", [
    (b'<?xml version="1.0"?>\n', 2),
    (b'', 0),
    (b'<manifest>\n<organizations>\n</manifest>', 3),
    (b'<manifest a="1" a="2"/>', 1),
    (b'\xff\xfe\x00garbage', 0),
    (b'<manifest>&undefined;</manifest>', 1),
])
def test_malformed_xml_reports_lxml_message_and_line(document, line):
    with pytest.raises(PackageError) as caught:
        parse_xml(document, "imsmanifest.xml")
    finding = caught.value.errors[0]
    assert caught.value.codes == ["xml.malformed"]
    assert finding.message.startswith("not well-formed XML")
    if line:
        assert finding.location == f"imsmanifest.xml:{line}"


def test_a_plain_document_parses_without_touching_entities_or_network():
    root = parse_xml(b'<?xml version="1.0" encoding="ISO-8859-1"?><manifest a="&amp;&#233;">\xe9t\xe9</manifest>',
                     "m.xml")
    assert root.tag == "manifest" and root.get("a") == "&\u00e9" and root.text == "\u00e9t\u00e9"


def test_undeclared_prefixes_are_only_tolerated_when_asked():
    document = b'<manifest><resource adlcp:scormtype="sco"/></manifest>'
    with pytest.raises(PackageError):
        parse_xml(document, "m.xml")
    root = parse_xml(document, "m.xml", lenient_prefixes=True)
    assert root[0].get("adlcp:scormtype") == "sco"
    with pytest.raises(PackageError) as caught:  # leniency covers prefixes, not other faults
        parse_xml(b'<manifest><resource adlcp:scormtype="sco"></manifest>', "m.xml", lenient_prefixes=True)
    assert caught.value.codes == ["xml.malformed"]


def test_text_is_refused_as_input():
    with pytest.raises(TypeError):
        parse_xml("<manifest/>", "m.xml")  # type: ignore[arg-type]
