"""Content scanning rules, one table row per habit, on text literals."""
from __future__ import annotations

import time

import pytest

from scormproxy.audit import content_scan
from scormproxy.audit.content_scan import mentioned_names, scan_bytes, scan_text, text_kind


def hits_of(text: str, kind: str, path: str = "page.html") -> dict[str, tuple[str, int, int]]:
    """code -> (severity, count, first line)."""
    return {h.code: (h.severity, h.count, h.first_line) for h in scan_text(path, text, kind).hits}


@pytest.mark.parametrize("kind, text, code, expected", [
    # Markup loads: warnings.
    ("html", '<p>x</p>\n<script src="http://cdn.example.com/lib.js"></script>', "content.insecure_reference",
     ("warning", 1, 2)),
    ("html", '<img src="https://cdn.example.com/a.png"><img src="//cdn.example.com/b.png">',
     "content.external_reference", ("warning", 2, 1)),
    ("html", '<link rel="stylesheet" href="http://fonts.example.com/f.css">', "content.insecure_reference",
     ("warning", 1, 1)),
    ("css", "body {}\n\n@import url(http://fonts.example.com/x.css);", "content.insecure_reference",
     ("warning", 1, 3)),
    ("css", 'a { background: url("https://img.example.com/bg.png") }', "content.external_reference",
     ("warning", 1, 1)),
    # Links and script strings: infos.
    ("html", '<a href="http://en.wikipedia.org/wiki/Golf">Wikipedia</a>', "content.insecure_reference",
     ("info", 1, 1)),
    ("js", 'var u = "https://api.example.com/track";\nvar v = "http://api.example.com/x";',
     "content.external_reference", ("info", 1, 1)),
    ("js", 'var u = "https://api.example.com/track";\nvar v = "http://api.example.com/x";',
     "content.insecure_reference", ("info", 1, 2)),
    ("html", '<p>\n<script>\nAddLicenseInfo("Wikipedia", "http://en.wikipedia.org/wiki/Golf");\n</script>',
     "content.insecure_reference", ("info", 1, 3)),
    # Reaching into the player.
    ("js", "var d = window.parent.document;\nparent.document.title = 'x';", "content.parent_document_access",
     ("warning", 2, 1)),
    ("js", "x = top.document.body;", "content.parent_document_access", ("warning", 1, 1)),
    ("js", "window.opener.document.write('x')", "content.parent_document_access", ("warning", 1, 1)),
    ("js", "\n\ntop.location = 'exit.html';", "content.top_navigation", ("warning", 1, 3)),
    ("js", "top.location.href = 'exit.html'", "content.top_navigation", ("warning", 1, 1)),
    ("js", "if (window.top.location.hash) {}", "content.top_navigation", ("warning", 1, 1)),
    ("js", "window.parent.location.replace('x')", "content.top_navigation", ("warning", 1, 1)),
    ("html", '<button onclick="top.location.replace(\'exit.html\')">Exit</button>', "content.top_navigation",
     ("warning", 1, 1)),
    # Plug-ins.
    ("html", '<object type="application/x-shockwave-flash" data="movie.swf"></object>', "content.plugin_flash",
     ("warning", 1, 1)),
    ("html", '<embed src="intro.swf" width="400">', "content.plugin_flash", ("warning", 1, 1)),
    ("js", 'swfobject.embedSWF("movie.swf", "flash", "800", "600", "9.0.0");', "content.plugin_flash",
     ("info", 1, 1)),
    ("html", '<applet code="Test.class" archive="test.jar"></applet>', "content.plugin_java", ("warning", 1, 1)),
    ("html", '<object type="application/x-silverlight-2" data="data:application/x-silverlight-2,">'
             '<param name="source" value="player.xap"/></object>', "content.plugin_silverlight", ("warning", 2, 1)),
    ("html", '<object classid="clsid:166B1BCA-3F9C-11CF-8075-444553540000"><param name="src" value="m.dcr">'
             '</object>', "content.plugin_shockwave", ("warning", 2, 1)),
])
def test_rule_fires(kind, text, code, expected):
    assert hits_of(text, kind).get(code) == expected


@pytest.mark.parametrize("kind, text", [
    # Namespaces and DTDs are never fetched.
    ("html", '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1.dtd">'
             '<html xmlns="http://www.w3.org/1999/xhtml"><svg xmlns="http://www.w3.org/2000/svg"></svg></html>'),
    ("js", 'document.createElementNS("http://www.w3.org/2000/svg", "svg");'),
    ("js", 'var verb = "http://adlnet.gov/expapi/verbs/completed";'),
    # A URL in a comment or prose is not a load; a relative path is not another host.
    ("js", "// see http://example.com/docs for details"),
    ("html", '<p>Visit http://example.com some day.</p><img src="images/a.png">'),
    # API discovery through the parent window is what SCORM content must do.
    ("js", "var api = window.parent.API || window.parent.API_1484_11; var l = window.location.href;"),
    # Other objects that happen to have such members.
    ("js", "node.parent.document; tree.top.location = 3; desktop.location = 'x'; Parent.Document = 1;"),
    ("js", "if (top.location == self.location) {}"),
    # jQuery names the Flash ActiveX class id; that is no embedding.
    ("js", 'noData: {"embed": true, "object": "clsid:D27CDB6E-AE6D-11cf-96B8-444553540000"}'),
    ("css", "body { background: url(images/bg.png) }"),
])
def test_harmless_text_has_no_hits(kind, text):
    assert hits_of(text, kind) == {}


def test_one_hit_per_file_and_code_with_count_and_first_line():
    text = "a\nparent.document.x;\nparent.document.y;\ntop.document.z;\n"
    (hit,) = scan_text("lib/api.js", text, "js").hits
    assert (hit.code, hit.count, hit.first_line, hit.location) == ("content.parent_document_access", 3, 2,
                                                                   "lib/api.js:2")
    assert hit.message.startswith("3 ") and "parent.document" in hit.message


def test_markup_embedding_outranks_script_mentions_of_the_same_plugin():
    text = ('<script>\nif (navigator.mimeTypes["application/x-shockwave-flash"]) {}\n</script>\n'
            '<object type="application/x-shockwave-flash" data="m.swf"></object>')
    (hit,) = scan_text("story.html", text, "html").hits
    assert (hit.severity, hit.count, hit.first_line) == ("warning", 1, 4)


def test_script_string_rules_read_only_inline_scripts_in_html():
    text = '<a href="https://example.com/x">x</a><p title="https://example.com/y"></p>'
    assert hits_of(text, "html") == {"content.external_reference": ("info", 1, 1)}


def test_data_files_are_not_scanned_for_habits():
    result = scan_text("data.json", '{"u": "http://example.com/x", "p": "parent.document"}', "data")
    assert result.hits == [] and "x" not in result.names


@pytest.mark.parametrize("text, names", [
    ('<script src="js/app.min.js?v=3"></script>', {"app.min.js"}),
    ('frame.src = "AC TEST.htm" + params;', {"AC TEST.htm"}),
    ("url(img/p%20q.png)", {"p%20q.png", "p q.png"}),
    ('{"src": "dr/img1.json#x"}', {"img1.json"}),
])
def test_mentioned_names(text, names):
    assert names <= mentioned_names(text)


def test_mentioned_names_stays_linear_on_long_tokens():
    text = "data:image/png;base64," + "QUJD" * 50_000 + " and.more " + "x" * 100_000 + ".png"
    started = time.monotonic()
    names = mentioned_names(text)
    assert time.monotonic() - started < 2.0
    assert ("x" * 100_000 + ".png") in names


def test_static_refs_resolve_against_the_page_and_skip_dynamic_or_remote_values():
    text = ('<script src="../shared/api.js"></script>\n<img src="img/a%20b.png">\n'
            '<img src="{{ url }}"><script src="https://cdn.example.com/x.js"></script>'
            '<img src="data:image/png;base64,AAA"><img src="/abs.png"><frame src="../../out.html">')
    refs = scan_text("course/page.html", text, "html").local_refs
    assert refs == [("shared/api.js", 1), ("course/img/a b.png", 2)]


def test_scan_bytes_reports_truncation_and_still_scans_the_head():
    data = b"parent.document;\n" + b"x" * 100
    result = scan_bytes("a.js", data, "js", max_bytes=50)
    assert result.truncated and [h.code for h in result.hits] == ["content.parent_document_access"]
    assert not scan_bytes("a.js", data, "js", max_bytes=len(data)).truncated


@pytest.mark.parametrize("path, head, kind", [
    ("index.HTML", None, "html"),
    ("lib/a.js", None, "js"),
    ("style.css", None, "css"),
    ("imsmanifest.xml", None, "data"),
    ("movie.swf", b"FWS", None),
    ("LICENSE", b"Permission is hereby granted", "data"),
    ("page.asp", b"<!DOCTYPE html><html>", "html"),
    ("blob.bin", b"\x00\x01\x02", None),
    ("latin1.dat", "caf\u00e9".encode("latin-1") + b" more text here", None),
])
def test_text_kind(path, head, kind):
    if content_scan.needs_sniff(path):
        assert text_kind(path, head) == kind
    else:
        assert text_kind(path) == kind
