"""Version diff rules: files by content hash, manifest fields with list entries matched by identifier."""
from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from scormproxy.admin_diff import FileEntry, ManifestChange, diff_files, diff_findings, diff_manifests


def entries(files: dict[str, tuple[str, int]]) -> list[FileEntry]:
    return [FileEntry(path, sha, size) for path, (sha, size) in files.items()]


def test_files_added_removed_changed_and_unchanged():
    old = entries({"index.html": ("a", 10), "old.css": ("b", 5), "same.js": ("c", 7), "img/logo.png": ("d", 100)})
    new = entries({"index.html": ("a2", 12), "same.js": ("c", 7), "img/logo.png": ("d", 100), "new.js": ("e", 3)})
    result = diff_files(old, new)
    assert [f.path for f in result.added] == ["new.js"]
    assert [f.path for f in result.removed] == ["old.css"]
    assert [(c.path, c.old.size, c.new.size) for c in result.changed] == [("index.html", 10, 12)]
    assert result.unchanged == 2


def test_a_file_with_the_same_size_but_other_bytes_has_changed():
    result = diff_files([FileEntry("a.html", "1" * 64, 5)], [FileEntry("a.html", "2" * 64, 5)])
    assert [c.path for c in result.changed] == ["a.html"] and result.unchanged == 0


def test_renamed_file_is_one_removed_and_one_added():
    result = diff_files([FileEntry("A.html", "x", 1)], [FileEntry("a.html", "x", 1)])
    assert [f.path for f in result.added] == ["a.html"] and [f.path for f in result.removed] == ["A.html"]


def item(identifier: str, title: str, children=()) -> dict:
    return {"identifier": identifier, "title": title, "is_visible": True, "children": list(children)}


def manifest(*items: dict, resources: dict | None = None, **fields) -> dict:
    base = {"identifier": "pkg", "version": "1.2", "title": "Course", "findings": [],
            "organizations": [{"identifier": "org", "title": "Course", "items": list(items)}],
            "resources": resources or {"r1": {"identifier": "r1", "href": "index.html", "files": ["index.html"]}}}
    base.update(fields)
    return base


def test_identical_manifests_have_no_changes():
    one = manifest(item("i1", "Lesson", [item("i1a", "Part")]))
    assert diff_manifests(one, copy.deepcopy(one)) == []


def test_items_are_matched_by_identifier_not_position():
    old = manifest(item("i1", "Intro"), item("i2", "Lesson"), item("i3", "Quiz"))
    new = manifest(item("i1", "Intro"), item("i3", "Final quiz"))
    changes = diff_manifests(old, new)
    assert ManifestChange("organizations[org].items[i3].title", "changed", "Quiz", "Final quiz") in changes
    assert ManifestChange("organizations[org].items[i2]", "removed", old=item("i2", "Lesson")) in changes
    assert len(changes) == 2  # removing i2 does not make i3 look "changed" everywhere


def test_nested_items_added_and_reordered():
    old = manifest(item("m1", "Module", [item("a", "A"), item("b", "B")]))
    new = manifest(item("m1", "Module", [item("b", "B"), item("a", "A"), item("c", "C")]))
    changes = diff_manifests(old, new)
    assert ManifestChange("organizations[org].items[m1].children[c]", "added", new=item("c", "C")) in changes
    assert ManifestChange("organizations[org].items[m1].children(order)", "changed", ["a", "b"], ["b", "a"]) in changes
    assert len(changes) == 2


def test_resources_scalar_lists_and_top_level_fields():
    old = manifest(item("i1", "L"), version="1.2")
    new = manifest(item("i1", "L"), version="2004 4th Edition",
                   resources={"r1": {"identifier": "r1", "href": "start.html", "files": ["start.html", "a.js"]},
                              "r2": {"identifier": "r2", "href": None, "files": []}})
    changes = {(c.path, c.kind) for c in diff_manifests(old, new)}
    assert changes == {("version", "changed"), ("resources.r1.href", "changed"), ("resources.r1.files", "changed"),
                       ("resources.r2", "added")}


def test_a_value_that_changes_type_is_a_change():
    changes = diff_manifests(manifest(mastery=1), manifest(mastery=True))
    assert changes == [ManifestChange("mastery", "changed", 1, True)]
    changes = diff_manifests(manifest(sequencing=None), manifest(sequencing={"flow": True}))
    assert changes == [ManifestChange("sequencing", "changed", None, {"flow": True})]


def test_parser_findings_are_left_to_the_findings_diff():
    old = manifest(findings=[{"severity": "warning", "code": "a.b", "message": "m", "location": "x"}])
    assert diff_manifests(old, manifest()) == []


def test_duplicate_identifiers_fall_back_to_positions():
    old = manifest(objectives=[{"identifier": "o"}, {"identifier": "o", "x": 1}])
    new = manifest(objectives=[{"identifier": "o"}, {"identifier": "o", "x": 2}])
    assert diff_manifests(old, new) == [ManifestChange("objectives[1].x", "changed", 1, 2)]


def test_lists_of_records_without_identifiers_compare_by_position():
    old = manifest(rules=[{"action": "skip"}, {"action": "exit"}])
    new = manifest(rules=[{"action": "skip"}, {"action": "retry"}, {"action": "stop"}])
    assert diff_manifests(old, new) == [ManifestChange("rules[1].action", "changed", "exit", "retry"),
                                        ManifestChange("rules[2]", "added", new={"action": "stop"})]


def test_findings_new_and_resolved():
    kept = {"severity": "info", "code": "files.unreferenced", "message": "dead", "location": "a.txt"}
    gone = {"severity": "warning", "code": "content.top_navigation", "message": "top", "location": "x.js:1"}
    new = {"severity": "warning", "code": "content.top_navigation", "message": "top", "location": "y.js:4"}
    result = diff_findings({"findings": [kept, gone]}, {"findings": [kept, new]})
    assert result.new == [new] and result.resolved == [gone]
    assert diff_findings({}, {"findings": [kept]}).new == [kept]


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))
json_tree = st.recursive(json_leaf, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.text(min_size=1, max_size=6), children, max_size=4)),
    max_leaves=20)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=6).filter(lambda k: k != "findings"), json_tree, max_size=5))
def test_a_manifest_compared_with_itself_has_no_changes(model):
    assert diff_manifests(model, copy.deepcopy(model)) == []


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=6).filter(lambda k: k != "findings"), json_tree, min_size=1,
                       max_size=5), st.data())
def test_changing_one_top_level_value_is_reported_at_that_field(model, data):
    key = data.draw(st.sampled_from(sorted(model)))
    changed = copy.deepcopy(model)
    changed[key] = ["a value no strategy draws", object.__name__]
    changes = diff_manifests(model, changed)
    assert changes and all(c.path == key or c.path.startswith((key + ".", key + "[", key + "(")) for c in changes)
