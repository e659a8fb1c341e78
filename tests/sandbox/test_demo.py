"""The demo course zips: reproducible, valid packages whose manifests and scripts agree with demo.py."""
from __future__ import annotations

import json
import re
import zipfile

import pytest
from lxml import etree, html

from scormproxy.sandbox.demo import (
    DEMO_ASSESSMENT_ANSWERS, DEMO_COURSES_DIR, DEMO_PACKAGES, DEMO_QUIZ_ANSWERS, DEMO_QUIZ_MASTERY_SCORE,
    build_demo_packages,
)
from scormproxy.sandbox.reproducible_zip import FIXED_DATE_TIME

QUIZ = "01-safety-quiz-scorm12.zip"
WORKSHOP = "02-workshop-basics-scorm2004.zip"
NS = {"cp12": "http://www.imsproject.org/xsd/imscp_rootv1p1p2", "cp": "http://www.imsglobal.org/xsd/imscp_v1p1",
      "adlcp12": "http://www.adlnet.org/xsd/adlcp_rootv1p2", "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
      "imsss": "http://www.imsglobal.org/xsd/imsss"}


def _manifest(archive: zipfile.ZipFile):
    return etree.fromstring(archive.read("imsmanifest.xml"), etree.XMLParser(resolve_entities=False,
                                                                              no_network=True))


def test_build_is_byte_identical_and_named_for_ids(tmp_path, demo_packages):
    built = build_demo_packages(tmp_path / "again")
    assert [p.name for p in built] == sorted(DEMO_PACKAGES) == [QUIZ, WORKSHOP]
    for path in built:
        assert path.read_bytes() == (demo_packages / path.name).read_bytes()
    assert sorted(p.name for p in (tmp_path / "again").iterdir()) == [QUIZ, WORKSHOP]  # no partial files


@pytest.mark.parametrize("name", [QUIZ, WORKSHOP])
def test_zips_are_valid_with_the_manifest_first_at_the_root(demo_packages, name):
    with zipfile.ZipFile(demo_packages / name) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
        assert infos[0].filename == "imsmanifest.xml"
        assert all(info.date_time == FIXED_DATE_TIME for info in infos)
        assert all(not info.filename.startswith(("/", "..")) and "\\" not in info.filename for info in infos)
        listed = {f.get("href") for f in _manifest(archive).iter("{*}file")}
        assert listed | {"imsmanifest.xml"} == set(archive.namelist())


def test_the_quiz_manifest_is_scorm12_with_mastery_score(demo_packages):
    with zipfile.ZipFile(demo_packages / QUIZ) as archive:
        root = _manifest(archive)
    assert root.findtext("cp12:metadata/cp12:schemaversion", namespaces=NS) == "1.2"
    items = root.findall(".//cp12:item", NS)
    assert len(items) == 1
    assert items[0].findtext("adlcp12:masteryscore", namespaces=NS) == str(DEMO_QUIZ_MASTERY_SCORE)
    resource = root.find(".//cp12:resource", NS)
    assert (resource.get(f"{{{NS['adlcp12']}}}scormtype"), resource.get("href")) == ("sco", "index.html")


def test_the_workshop_manifest_is_2004_4th_with_flow_and_objective(demo_packages):
    with zipfile.ZipFile(demo_packages / WORKSHOP) as archive:
        root = _manifest(archive)
    assert root.findtext("cp:metadata/cp:schemaversion", namespaces=NS) == "2004 4th Edition"
    for prefix in ("imscp_v1p1", "adlcp_v1p3", "adlseq_v1p3", "adlnav_v1p3", "imsss"):
        assert any(uri.endswith(prefix) for uri in root.nsmap.values()), prefix
    organization = root.find("cp:organizations/cp:organization", NS)
    items = organization.findall("cp:item", NS)
    assert [i.get("identifier") for i in items] == ["item-intro", "item-lesson", "item-assessment"]
    resources = {r.get("identifier"): r for r in root.iter("{*}resource")}
    for item in items:
        sco = resources[item.get("identifierref")]
        assert sco.get(f"{{{NS['adlcp']}}}scormType") == "sco"
    control = organization.find("imsss:sequencing/imsss:controlMode", NS)
    assert (control.get("choice"), control.get("flow"), control.get("forwardOnly")) == ("true", "true", "false")
    objective = items[2].find("imsss:sequencing/imsss:objectives/imsss:primaryObjective", NS)
    assert objective.get("satisfiedByMeasure") == "true"
    assert objective.findtext("imsss:minNormalizedMeasure", namespaces=NS) == "0.7"


def _answer_key(script: str) -> dict:
    match = re.search(r"var ANSWER_KEY = (\{[^}]*\});", script)
    assert match, "the answer key is no longer a literal"
    return json.loads(match.group(1))


def test_answer_keys_in_the_courses_match_demo_py():
    quiz = (DEMO_COURSES_DIR / "safety-quiz-scorm12" / "quiz.js").read_text()
    course = (DEMO_COURSES_DIR / "workshop-basics-scorm2004" / "shared" / "course.js").read_text()
    assert _answer_key(quiz) == DEMO_QUIZ_ANSWERS
    assert _answer_key(course) == DEMO_ASSESSMENT_ANSWERS


@pytest.mark.parametrize("page, questions, buttons", [
    ("safety-quiz-scorm12/index.html", 5, ["submit", "finish"]),
    ("workshop-basics-scorm2004/intro.html", 0, ["complete", "next"]),
    ("workshop-basics-scorm2004/lesson.html", 0, ["complete", "next", "previous-section", "next-section"]),
    ("workshop-basics-scorm2004/assessment.html", 3, ["submit", "next"]),
])
def test_pages_carry_the_automation_hooks(page, questions, buttons):
    document = html.parse(str(DEMO_COURSES_DIR / page)).getroot()
    for number in range(1, questions + 1):
        values = document.xpath(f"//input[@type='radio'][@name='q{number}']/@value")
        assert values == ["a", "b", "c"]
    assert not document.xpath(f"//input[@name='q{questions + 1}']")
    for button in buttons:
        assert document.xpath(f"//button[@id='{button}']"), button
    # No third-party or remote resources.
    assert not document.xpath("//*[starts-with(@src, 'http') or starts-with(@href, 'http')]")
