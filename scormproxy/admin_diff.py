"""Differences between two versions of a package: files, manifest model and audit findings.

Files come from the `package_files` index (content hashes, so "changed" means different
bytes); the manifest from each version's stored `manifest_json`, compared field by field
with list entries matched by their identifier, so moving an item is not "everything changed".
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import PackageFile, PackageVersion

# List entries are matched on the first of these keys that every entry carries, uniquely.
IDENTITY_KEYS = ("identifier", "objective_id", "target_id")
# Parser findings are compared through the audit's findings, which include them.
MANIFEST_KEYS_IGNORED = frozenset({"findings"})
ORDER_MARK = "(order)"


@dataclass(frozen=True)
class FileEntry:
    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class FileChange:
    path: str
    old: FileEntry
    new: FileEntry


@dataclass(frozen=True)
class ManifestChange:
    path: str  # e.g. organizations[org].items[i1].title
    kind: str  # added | removed | changed
    old: Any = None
    new: Any = None


@dataclass
class FileDiff:
    added: list[FileEntry] = field(default_factory=list)
    removed: list[FileEntry] = field(default_factory=list)
    changed: list[FileChange] = field(default_factory=list)
    unchanged: int = 0


@dataclass
class FindingsDiff:
    new: list[dict] = field(default_factory=list)  # in b, not in a
    resolved: list[dict] = field(default_factory=list)  # in a, not in b


@dataclass
class VersionDiff:
    a: PackageVersion
    b: PackageVersion
    files: FileDiff
    manifest: list[ManifestChange]
    findings: FindingsDiff

    @property
    def identical(self) -> bool:
        return not (self.files.added or self.files.removed or self.files.changed or self.manifest
                    or self.findings.new or self.findings.resolved)


def diff_files(old: Iterable[FileEntry], new: Iterable[FileEntry]) -> FileDiff:
    before = {entry.path: entry for entry in old}
    after = {entry.path: entry for entry in new}
    result = FileDiff()
    for path in sorted(before.keys() | after.keys()):
        was, now = before.get(path), after.get(path)
        if was is None:
            result.added.append(now)
        elif now is None:
            result.removed.append(was)
        elif was.sha256 != now.sha256:
            result.changed.append(FileChange(path, was, now))
        else:
            result.unchanged += 1
    return result


def diff_manifests(old: dict, new: dict) -> list[ManifestChange]:
    """Every leaf that differs between two manifest models, in `new`'s order, removals last."""
    changes: list[ManifestChange] = []
    old = {k: v for k, v in old.items() if k not in MANIFEST_KEYS_IGNORED}
    new = {k: v for k, v in new.items() if k not in MANIFEST_KEYS_IGNORED}
    _diff_value("", old, new, changes)
    return changes


def _diff_value(path: str, old: Any, new: Any, out: list[ManifestChange]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in _ordered_union(list(old), list(new)):
            child = f"{path}.{key}" if path else str(key)
            _diff_present(child, old, new, key, out)
        return
    if isinstance(old, list) and isinstance(new, list):
        key = _identity_key(old, new)
        if key is not None:
            before = {entry[key]: entry for entry in old}
            after = {entry[key]: entry for entry in new}
            for ident in _ordered_union(list(before), list(after)):
                _diff_present(f"{path}[{ident}]", before, after, ident, out)
            common_before = [k for k in before if k in after]
            common_after = [k for k in after if k in before]
            if common_before != common_after:
                out.append(ManifestChange(f"{path}{ORDER_MARK}", "changed", common_before, common_after))
            return
        if all(not isinstance(v, (dict, list)) for v in old + new):
            if old != new:  # a list of plain values (files, declared elements) reads best whole
                out.append(ManifestChange(path, "changed", old, new))
            return
        for index in range(max(len(old), len(new))):
            _diff_present(f"{path}[{index}]", dict(enumerate(old)), dict(enumerate(new)), index, out)
        return
    if old != new or type(old) is not type(new):
        out.append(ManifestChange(path, "changed", old, new))


def _diff_present(path: str, before: dict, after: dict, key, out: list[ManifestChange]) -> None:
    if key not in before:
        out.append(ManifestChange(path, "added", new=after[key]))
    elif key not in after:
        out.append(ManifestChange(path, "removed", old=before[key]))
    else:
        _diff_value(path, before[key], after[key], out)


def _identity_key(old: list, new: list) -> str | None:
    if not (old or new) or not all(isinstance(e, dict) for e in old + new):
        return None
    for key in IDENTITY_KEYS:
        if all(isinstance(e.get(key), str) for e in old + new) and all(
                len({e[key] for e in side}) == len(side) for side in (old, new)):
            return key
    return None


def _ordered_union(old_keys: list, new_keys: list) -> list:
    """The new order, then what only the old one had."""
    return list(dict.fromkeys(new_keys + old_keys))


def diff_findings(old_report: dict, new_report: dict) -> FindingsDiff:
    def keyed(report: dict) -> dict[tuple, dict]:
        return {(f.get("severity"), f.get("code"), f.get("message"), f.get("location")): f
                for f in report.get("findings", []) if isinstance(f, dict)}

    before, after = keyed(old_report), keyed(new_report)
    return FindingsDiff(new=[f for k, f in after.items() if k not in before],
                        resolved=[f for k, f in before.items() if k not in after])


def version_files(session: Session, version_id: str) -> list[FileEntry]:
    rows = session.execute(select(PackageFile.path, PackageFile.sha256, PackageFile.size)
                           .where(PackageFile.version_id == version_id)).all()
    return [FileEntry(path, sha256, size) for path, sha256, size in rows]


def diff_versions(session: Session, a: PackageVersion, b: PackageVersion) -> VersionDiff:
    """What changed from version `a` to version `b` (b is the newer one, by convention)."""
    return VersionDiff(
        a=a, b=b,
        files=diff_files(version_files(session, a.id), version_files(session, b.id)),
        manifest=diff_manifests(json_object(a.manifest_json), json_object(b.manifest_json)),
        findings=diff_findings(json_object(a.audit_json), json_object(b.audit_json)),
    )


def json_object(text: str | None) -> dict:
    """A stored JSON column (manifest_json, audit_json) as a dict; {} when empty or unreadable."""
    try:
        value = json.loads(text or "{}")
    except ValueError:  # a row written by hand or a broken migration: show it as empty
        return {}
    return value if isinstance(value, dict) else {}
