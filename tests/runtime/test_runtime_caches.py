"""What the commit path remembers between commits: parsed element names, course lookups, the limits of an app."""
from __future__ import annotations

import pytest

from scormproxy import create_app
from scormproxy.runtime import cmi_common
from scormproxy.runtime.cmi_common import PARSED_NAME_CACHE_CHARS, PARSED_NAME_CACHE_ENTRIES, parse_name
from scormproxy.runtime.course import Course, CourseItem


@pytest.mark.parametrize("name, parsed", [
    ("cmi.core.lesson_status", ("cmi.core.lesson_status", ())),
    ("cmi.interactions.3.id", ("cmi.interactions.n.id", (3,))),
    ("cmi.interactions.12.objectives.0.id", ("cmi.interactions.n.objectives.n.id", (12, 0))),
    ("cmi.interactions.01.id", None),       # one spelling per index
    ("cmi.interactions.n.id", None),        # the template's placeholder is no index
    ("cmi.interactions.1234567.id", None),  # beyond any count limit
])
def test_parse_name_answers_the_same_from_its_cache(name, parsed):
    assert parse_name(name) == parsed
    assert parse_name(name) == parsed  # the second answer comes from the cache
    assert cmi_common._parse_name(name) == parsed


def test_parse_name_cache_is_bounded_and_skips_long_names():
    cached = cmi_common._parse_name_cached
    assert cached.cache_info().maxsize == PARSED_NAME_CACHE_ENTRIES
    before = cached.cache_info().currsize
    long_name = "cmi." + "x" * PARSED_NAME_CACHE_CHARS + ".1"
    assert parse_name(long_name) == ("cmi." + "x" * PARSED_NAME_CACHE_CHARS + ".n", (1,))
    assert cached.cache_info().currsize == before
    for n in range(PARSED_NAME_CACHE_ENTRIES + 100):
        parse_name(f"cmi.interactions.{n}.id")
    assert cached.cache_info().currsize <= PARSED_NAME_CACHE_ENTRIES


def _item(identifier, href=None, kind="sco", children=()):
    return CourseItem(identifier, identifier, href, kind if href else None, True, list(children))


def test_course_lookups_follow_the_tree_in_document_order():
    course = Course("1.2", "c", [
        _item("module", children=[_item("a", "a.html"), _item("dup", "first.html")]),
        _item("dup", "second.html"),
        _item("asset", "x.png", kind="asset"),
    ], None)
    assert course.item("dup").href == "first.html"  # the first in document order, as a walk finds it
    assert course.item("module").href is None and course.item("missing") is None
    assert [i.identifier for i in course.launchable()] == ["a", "dup", "dup", "asset"]
    assert course.sco_ids() == ["a", "dup", "dup"]
    assert course.launchable_ids == {"a", "dup", "asset"}
    # Callers get their own lists: changing one changes no later answer.
    course.launchable().clear()
    course.sco_ids().clear()
    assert len(course.launchable()) == 4 and len(course.sco_ids()) == 3


def test_runtime_limits_are_read_once_per_app(tmp_path):
    from scormproxy.web.learner import _runtime_limits

    strict = create_app({"data_dir": str(tmp_path / "a"), "cmi_strict_limits": "true", "cmi_max_interactions": "7"})
    lenient = create_app({"data_dir": str(tmp_path / "b")})
    with strict.app_context():
        first = _runtime_limits()
        assert first.strict_limits and first.max_interactions == 7
        assert _runtime_limits() is first
    with lenient.app_context():
        assert not _runtime_limits().strict_limits
