"""parse_manifest: hostile and broken manifests refused with specific codes, real-world quirks tolerated."""
from __future__ import annotations

import json

import pytest

from scormproxy.packages import PackageError, parse_manifest
from scormproxy.packages.manifest import SCORM_12, SCORM_2004_2ND, SCORM_2004_3RD, SCORM_2004_4TH

from .manifests import FILES, ITEM, NS_12, NS_2004, RESOURCE, manifest, manifest_2004


def resource(href: str = "index.html", extra_attrs: str = "", files: str = '<file href="index.html"/>') -> str:
    return (f'<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="{href}" {extra_attrs}>'
            f"{files}</resource>")


def codes(document: bytes, **kwargs) -> list[str]:
    with pytest.raises(PackageError) as caught:
        parse_manifest(document, **kwargs)
    return caught.value.codes


def warning_codes(parsed) -> list[str]:
    return [f.code for f in parsed.findings if f.severity == "warning"]


BAD_MANIFESTS = [
    ("dtd", b'<?xml version="1.0"?><!DOCTYPE manifest SYSTEM "imscp.dtd">' + manifest().split(b"?>", 1)[1],
     "xml.dtd_forbidden"),
    ("external-entity", b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY t SYSTEM "file:///etc/hostname">]>'
     + manifest(items='<item identifier="i1" identifierref="r1"><title>&t;</title></item>').split(b"?>", 1)[1],
     "xml.dtd_forbidden"),
    ("billion-laughs", b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">'
     b']><manifest identifier="&b;"/>', "xml.dtd_forbidden"),
    ("truncated", manifest()[:200], "xml.malformed"),
    ("wrong-root", b'<html xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><body/></html>', "manifest.wrong_root"),
    ("wrong-namespace", manifest(ns='xmlns="http://www.w3.org/1999/xhtml" xmlns:adlcp="urn:x"'),
     "manifest.wrong_namespace"),
    ("identifierref-missing", manifest(items='<item identifier="i1" identifierref="nope"><title>T</title></item>'),
     "manifest.missing_identifierref"),
    ("javascript-href", manifest(resources=resource("javascript:alert(document.cookie)")), "manifest.script_href"),
    ("javascript-mixed-case", manifest(resources=resource("JavaScript:alert(1)")), "manifest.script_href"),
    ("javascript-split-by-newline", manifest(resources=resource("java&#10;script:alert(1)")),
     "manifest.script_href"),
    ("javascript-leading-space", manifest(resources=resource(" &#9;javascript:alert(1)")), "manifest.script_href"),
    ("data-href", manifest(resources=resource("data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;")),
     "manifest.script_href"),
    ("vbscript-href", manifest(resources=resource("vbscript:msgbox(1)")), "manifest.script_href"),
    ("remote-href", manifest(resources=resource("http://evil.example/course.html")), "manifest.remote_href"),
    ("remote-https-href", manifest(resources=resource("https://evil.example/course.html")), "manifest.remote_href"),
    ("protocol-relative-href", manifest(resources=resource("//evil.example/course.html")), "manifest.remote_href"),
    ("file-scheme-href", manifest(resources=resource("file:///etc/passwd")), "manifest.href_invalid"),
    ("dotdot-href", manifest(resources=resource("../outside.html")), "manifest.href_escapes"),
    ("deep-dotdot-href", manifest(resources=resource("a/b/../../../outside.html")), "manifest.href_escapes"),
    ("encoded-dotdot-href", manifest(resources=resource("%2e%2e/outside.html")), "manifest.href_escapes"),
    ("encoded-slash-dotdot-href", manifest(resources=resource("a%2f..%2f..%2foutside.html")),
     "manifest.href_escapes"),
    ("backslash-dotdot-href", manifest(resources=resource("..\\outside.html")), "manifest.href_escapes"),
    ("absolute-href", manifest(resources=resource("/etc/passwd")), "manifest.href_absolute"),
    ("xml-base-dotdot", manifest(resources=resource(extra_attrs='xml:base="../"')), "manifest.href_escapes"),
    ("xml-base-climbs", manifest(resources=resource(extra_attrs='xml:base="a/../../"')), "manifest.href_escapes"),
    ("xml-base-remote", manifest(resources=resource(extra_attrs='xml:base="http://evil.example/"')),
     "manifest.xml_base_invalid"),
    ("xml-base-script", manifest(resources=resource(extra_attrs='xml:base="javascript:alert(1)//"')),
     "manifest.xml_base_invalid"),
    ("xml-base-absolute", manifest(resources=resource(extra_attrs='xml:base="/var/www/"')),
     "manifest.xml_base_invalid"),
    ("xml-base-on-root", manifest(root_attrs='xml:base="http://evil.example/"'), "manifest.xml_base_invalid"),
    ("file-escapes", manifest(resources=resource(files='<file href="../../etc/passwd"/>')),
     "manifest.href_escapes"),
    ("duplicate-item", manifest(items=ITEM + ITEM), "manifest.duplicate_identifier"),
    ("duplicate-resource", manifest(resources=RESOURCE + RESOURCE), "manifest.duplicate_identifier"),
    ("item-without-identifier", manifest(items='<item identifierref="r1"><title>T</title></item>'),
     "manifest.missing_identifier"),
    ("resource-without-href", manifest(resources='<resource identifier="r1" type="webcontent" '
                                                 'adlcp:scormType="sco"/>'), "manifest.resource_without_href"),
    ("idref-missing", manifest_2004(items='<item identifier="i1" identifierref="r1"><title>T</title>'
                                          '<imsss:sequencing IDRef="nowhere"/></item>'), "sequencing.idref_missing"),
    ("empty", b'<manifest identifier="x" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><organizations/>'
              b'<resources/></manifest>', "manifest.empty"),
]


@pytest.mark.parametrize("document, code", [pytest.param(d, c, id=i) for i, d, c in BAD_MANIFESTS])
def test_bad_manifests_are_refused_with_a_specific_code(document, code):
    assert code in codes(document, files=FILES)


def test_a_launch_file_missing_from_the_package_is_an_error_other_files_are_warnings():
    document = manifest(resources=resource(files='<file href="index.html"/><file href="img/a.png"/>'
                                                 '<file href="img/b.png"/>'))
    assert codes(document, files={"imsmanifest.xml"}) == ["manifest.launch_missing"]
    parsed = parse_manifest(document, files={"imsmanifest.xml", "index.html"})
    [missing] = [f for f in parsed.findings if f.code == "manifest.file_missing"]
    assert missing.severity == "warning" and "'img/a.png', 'img/b.png'" in missing.message


def test_every_error_is_collected_before_raising():
    document = manifest(items='<item identifier="i1" identifierref="nope"><title>A</title></item>'
                              '<item identifier="i1" identifierref="r1"><title>B</title></item>',
                        resources=resource("javascript:alert(1)", files='<file href="../x"/>'))
    with pytest.raises(PackageError) as caught:
        parse_manifest(document)
    assert set(caught.value.codes) == {"manifest.missing_identifierref", "manifest.duplicate_identifier",
                                       "manifest.script_href", "manifest.href_escapes"}
    assert all(f.location.startswith("imsmanifest.xml:") for f in caught.value.errors)
    assert "(and 1 more error)" in caught.value.message


def test_remote_launches_are_infos_when_containers_are_allowed():
    document = manifest(resources=resource("https://vendor.example/course/?id=7", files=""),
                        items='<item identifier="i1" identifierref="r1" parameters="lang=en"><title>T</title></item>')
    parsed = parse_manifest(document, files=FILES, allow_remote=True)
    assert parsed.launchable_items()[0].launch_href == "https://vendor.example/course/?id=7&lang=en"
    assert [(f.severity, f.code) for f in parsed.findings] == [("info", "manifest.remote_href")]


def test_remote_file_entries_are_warnings():
    parsed = parse_manifest(manifest(resources=resource(files='<file href="index.html"/>'
                                                              '<file href="https://cdn.example/x.js"/>')),
                            files=FILES)
    assert warning_codes(parsed) == ["manifest.remote_file"]
    assert parsed.resources["r1"].files == ["index.html"]


@pytest.mark.parametrize("schemaversion, namespaces, version, finding", [
    ("1.2", NS_12, SCORM_12, None),
    ("CAM 1.3", NS_2004, SCORM_2004_2ND, None),
    ("2004 2nd Edition", NS_2004, SCORM_2004_2ND, None),
    ("2004 3rd Edition", NS_2004, SCORM_2004_3RD, None),
    ("2004 4th Edition", NS_2004, SCORM_2004_4TH, None),
    (" 2004  4th   edition ", NS_2004, SCORM_2004_4TH, None),
    (None, NS_2004, SCORM_2004_3RD, "manifest.version_inferred"),
    (None, NS_12, SCORM_12, "manifest.version_inferred"),
    ("banana", NS_12, SCORM_12, "manifest.unknown_schemaversion"),
    ("1.2", NS_2004, SCORM_12, "manifest.version_mismatch"),
    ("2004 3rd Edition", NS_12, SCORM_2004_3RD, "manifest.version_mismatch"),
])
def test_version_detection(schemaversion, namespaces, version, finding):
    parsed = parse_manifest(manifest(version=schemaversion, ns=namespaces), files=FILES)
    assert parsed.version == version
    assert parsed.schemaversion == (schemaversion.strip() if schemaversion else None)
    assert (finding in warning_codes(parsed)) if finding else warning_codes(parsed) == []


def test_fourth_edition_is_inferred_from_its_own_elements():
    items = ('<item identifier="i1" identifierref="r1"><title>T</title><imsss:sequencing><imsss:objectives>'
             '<imsss:primaryObjective objectiveID="p"/></imsss:objectives><adlseq:objectives>'
             '<adlseq:objective objectiveID="p"><adlseq:mapInfo targetObjectiveID="g"/></adlseq:objective>'
             '</adlseq:objectives></imsss:sequencing></item>')
    assert parse_manifest(manifest_2004(items, version=None), files=FILES).version == SCORM_2004_4TH


def test_a_manifest_without_namespaces_is_read_by_name_with_a_warning():
    document = (b'<manifest identifier="x"><metadata><schemaversion>1.2</schemaversion></metadata>'
                b'<organizations default="o"><organization identifier="o"><title>T</title>'
                b'<item identifier="i" identifierref="r"><title>L</title></item></organization></organizations>'
                b'<resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="index.html"/>'
                b'</resources></manifest>')
    parsed = parse_manifest(document, files=FILES)
    assert {"manifest.no_namespace", "manifest.undeclared_prefix"} <= set(warning_codes(parsed))
    assert parsed.version == SCORM_12 and parsed.resources["r"].scorm_type == "sco"
    assert [item.launch_href for item, _ in parsed.scos()] == ["index.html"]


def test_prefix_variations_and_namespace_variants_are_tolerated():
    ns = ('xmlns:cp="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:scorm="http://www.adlnet.org/xsd/adlcp_v1p3"')
    document = (f'<cp:manifest identifier="x" {ns}><cp:metadata><cp:schemaversion>2004 3rd Edition'
                f'</cp:schemaversion></cp:metadata><cp:organizations default="o"><cp:organization identifier="o">'
                f'<cp:title>T</cp:title><cp:item identifier="i" identifierref="r"><cp:title>L</cp:title></cp:item>'
                f'</cp:organization></cp:organizations><cp:resources><cp:resource identifier="r" type="webcontent" '
                f'scorm:scormType="sco" href="index.html"/></cp:resources></cp:manifest>').encode()
    parsed = parse_manifest(document, files=FILES)
    assert parsed.version == SCORM_2004_3RD and len(parsed.scos()) == 1 and parsed.findings == []
    variant = manifest(ns='xmlns="http://www.imsglobal.org/xsd/imscp_rootv1p1p2" '
                          'xmlns:adlcp="http://www.adlnet.org/xsd/ADLCP_rootv1p2"')
    parsed = parse_manifest(variant, files=FILES)
    assert [f.code for f in parsed.findings] == ["manifest.namespace_variant"]
    assert parsed.resources["r1"].scorm_type == "sco"


@pytest.mark.parametrize("href, parameters, launch", [
    ("index.html", None, "index.html"),
    ("index.html", "?a=1", "index.html?a=1"),
    ("index.html", "&amp;a=1", "index.html?a=1"),
    ("index.html", "a=1&amp;b=2", "index.html?a=1&b=2"),
    ("index.html?x=0", "?a=1", "index.html?x=0&a=1"),
    ("index.html?x=0", "a=1", "index.html?x=0&a=1"),
    ("index.html", "#part2", "index.html#part2"),
    ("index.html#top", "#part2", "index.html#top"),
    ("index.html#top", "?a=1", "index.html?a=1#top"),
    ("index.html", "?", "index.html"),
])
def test_item_parameters_join_the_launch_href_per_scorm(href, parameters, launch):
    params = f' parameters="{parameters}"' if parameters is not None else ""
    document = manifest(items=f'<item identifier="i1" identifierref="r1"{params}><title>T</title></item>',
                        resources=resource(href))
    assert parse_manifest(document, files=FILES).launchable_items()[0].launch_href == launch


def test_xml_base_chains_resolve_hrefs_and_files():
    document = manifest(root_attrs='xml:base="course/"',
                        resources='<resource identifier="r1" type="webcontent" adlcp:scormType="sco" '
                                  'href="index.html?p=1" xml:base="lessons/../unit1">'
                                  '<file href="index.html"/><file href="img/../a.png"/></resource>'
                                  '<resource identifier="r2" type="webcontent" adlcp:scormType="asset" '
                                  'xml:base="shared/"><file href="x.js"/></resource>')
    files = {"course/unit1/index.html", "course/unit1/a.png", "course/shared/x.js"}
    parsed = parse_manifest(document, files=files)
    first = parsed.resources["r1"]
    assert (first.href, first.href_path, first.base) == ("course/unit1/index.html?p=1", "course/unit1/index.html",
                                                         "course/unit1/")
    assert first.files == ["course/unit1/index.html", "course/unit1/a.png"]
    assert parsed.resources["r2"].files == ["course/shared/x.js"] and parsed.resources["r2"].href is None
    assert parsed.launchable_items()[0].launch_href == "course/unit1/index.html?p=1"


def test_percent_encoded_hrefs_name_decoded_files():
    parsed = parse_manifest(manifest(resources=resource("my%20lesson/start%20here.html", files="")),
                            files={"my lesson/start here.html"})
    assert parsed.resources["r1"].href == "my%20lesson/start%20here.html"
    assert parsed.resources["r1"].href_path == "my lesson/start here.html"


def test_default_organization_mismatch_falls_back_to_the_first_with_a_warning():
    parsed = parse_manifest(manifest(default="missing"), files=FILES)
    assert parsed.organization.identifier == "org" and parsed.default_organization == "missing"
    assert warning_codes(parsed) == ["manifest.default_organization_missing"]


def test_parents_with_resources_launch_in_scorm_12_only():
    items = ('<item identifier="p" identifierref="r1"><title>Parent</title>'
             '<item identifier="c" identifierref="r1"><title>Child</title></item></item>')
    scorm12 = parse_manifest(manifest(items=items), files=FILES)
    assert [i.identifier for i in scorm12.launchable_items()] == ["p", "c"]
    scorm2004 = parse_manifest(manifest_2004(items=items), files=FILES)
    assert [i.identifier for i in scorm2004.launchable_items()] == ["c"]
    assert "manifest.parent_with_resource" in warning_codes(scorm2004)


def test_scorm_12_item_extensions():
    items = ('<item identifier="i1" identifierref="r1" isvisible="false"><title>T</title>'
             '<adlcp:prerequisites type="aicc_script">a &amp; b</adlcp:prerequisites>'
             '<adlcp:maxtimeallowed>00:30:00</adlcp:maxtimeallowed>'
             '<adlcp:timelimitaction>exit,message</adlcp:timelimitaction>'
             '<adlcp:datafromlms>level=2</adlcp:datafromlms><adlcp:masteryscore>80</adlcp:masteryscore></item>'
             '<item identifier="i2" identifierref="r1"><title>U</title>'
             '<adlcp:masteryscore>eighty</adlcp:masteryscore></item>')
    parsed = parse_manifest(manifest(items=items), files=FILES)
    first, second = parsed.organization.items
    assert (first.is_visible, first.prerequisites, first.max_time_allowed, first.time_limit_action,
            first.data_from_lms, first.mastery_score) == (False, "a & b", "00:30:00", "exit,message", "level=2", 80.0)
    assert second.mastery_score is None and warning_codes(parsed) == ["manifest.invalid_value"]


def test_scorm_2004_item_extensions():
    items = ('<item identifier="i1" identifierref="r1"><title>T</title>'
             '<adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.6" progressWeight="0.5"/>'
             '<adlcp:timeLimitAction>continue,no message</adlcp:timeLimitAction>'
             '<adlcp:dataFromLMS>seed</adlcp:dataFromLMS>'
             '<adlcp:data><adlcp:map targetID="notes" writeSharedData="false"/></adlcp:data>'
             '<adlnav:presentation><adlnav:navigationInterface><adlnav:hideLMSUI>continue</adlnav:hideLMSUI>'
             '<adlnav:hideLMSUI>previous</adlnav:hideLMSUI></adlnav:navigationInterface></adlnav:presentation>'
             '</item><item identifier="i2" identifierref="r1"><title>U</title>'
             '<adlcp:completionThreshold>0.75</adlcp:completionThreshold></item>')
    parsed = parse_manifest(manifest_2004(items=items), files=FILES)
    first, second = parsed.organization.items
    threshold = first.completion_threshold
    assert (threshold.completed_by_measure, threshold.min_progress_measure, threshold.progress_weight) == \
        (True, 0.6, 0.5)
    assert (first.time_limit_action, first.data_from_lms, first.presentation) == \
        ("continue,no message", "seed", ["continue", "previous"])
    assert [(m.target_id, m.read_shared_data, m.write_shared_data) for m in first.data_maps] == \
        [("notes", True, False)]
    assert (second.completion_threshold.completed_by_measure, second.completion_threshold.min_progress_measure) == \
        (True, 0.75)


def test_missing_scorm_type_is_a_warning():
    parsed = parse_manifest(manifest(resources='<resource identifier="r1" type="webcontent" href="index.html"/>'),
                            files=FILES)
    assert warning_codes(parsed) == ["manifest.scorm_type_missing"]
    assert parsed.resources["r1"].scorm_type is None and parsed.scos() == []
    assert [i.identifier for i in parsed.launchable_items()] == ["i1"]


LOM_12 = ('<lom xmlns="http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"><general><title><langstring xml:lang="en">'
          '<![CDATA[Inline Title]]></langstring></title><description><langstring>About it</langstring>'
          '</description></general></lom>')
LOM_2004 = (b'<lom xmlns="http://ltsc.ieee.org/xsd/LOM"><general><title><string language="en">External Title'
            b'</string></title></general></lom>')


def test_metadata_title_and_description_inline():
    parsed = parse_manifest(manifest(metadata=LOM_12), files=FILES)
    assert (parsed.title, parsed.description) == ("Inline Title", "About it")


def test_metadata_from_a_referenced_file_and_its_failures():
    document = manifest_2004(metadata="<adlcp:location>meta/course.xml</adlcp:location>")
    reads = []

    def read_file(path):
        reads.append(path)
        return LOM_2004

    parsed = parse_manifest(document, files=FILES | {"meta/course.xml"}, read_file=read_file)
    assert parsed.title == "External Title" and reads == ["meta/course.xml"]
    hostile = parse_manifest(document, files=FILES | {"meta/course.xml"},
                             read_file=lambda path: b'<!DOCTYPE x [<!ENTITY e "e">]><lom/>')
    assert hostile.title == "Course" and warning_codes(hostile) == ["manifest.metadata_unreadable"]
    absent = parse_manifest(document, files=FILES, read_file=read_file)
    assert warning_codes(absent) == ["manifest.metadata_unreadable"] and reads == ["meta/course.xml"]
    escaping = parse_manifest(manifest_2004(metadata="<adlcp:location>../x.xml</adlcp:location>"), files=FILES,
                              read_file=read_file)
    assert warning_codes(escaping) == ["manifest.metadata_unreadable"] and reads == ["meta/course.xml"]


def test_title_falls_back_to_the_organization_then_the_identifier():
    assert parse_manifest(manifest(), files=FILES).title == "Course"


def test_resource_files_follow_dependencies_once():
    resources = ('<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="index.html">'
                 '<file href="index.html"/><dependency identifierref="common"/></resource>'
                 '<resource identifier="common" type="webcontent" adlcp:scormType="asset"><file href="a.js"/>'
                 '<dependency identifierref="r1"/><dependency identifierref="ghost"/></resource>')
    parsed = parse_manifest(manifest(resources=resources), files=FILES | {"a.js"})
    assert parsed.resource_files("r1") == ["index.html", "a.js"]


def test_the_model_serialises_to_json():
    document = manifest_2004(items='<item identifier="i1" identifierref="r1"><title>T</title><imsss:sequencing>'
                                   '<imsss:controlMode flow="true"/></imsss:sequencing></item>')
    data = json.loads(json.dumps(parse_manifest(document, files=FILES).to_dict()))
    item = data["organizations"][0]["items"][0]
    assert "resource" not in item and item["identifierref"] == "r1"
    assert item["sequencing"]["control_mode"]["flow"] is True and data["resources"]["r1"]["scorm_type"] == "sco"
