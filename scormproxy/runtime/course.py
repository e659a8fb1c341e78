"""The course as the player needs it: table of contents, SCOs and launch data, from the manifest model."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property


@dataclass
class CourseItem:
    identifier: str
    title: str
    href: str | None            # package-relative launch href with parameters, None for a folder
    scorm_type: str | None       # 'sco' | 'asset' | None
    visible: bool
    children: list["CourseItem"] = field(default_factory=list)
    meta: dict = field(default_factory=dict)  # data_from_lms, mastery_score, time limits, ...


@dataclass
class Course:
    scorm_version: str          # '1.2' or '2004 ...'
    title: str
    items: list[CourseItem]
    sequencing: dict | None

    @property
    def family(self) -> str:
        return "1.2" if self.scorm_version == "1.2" else "2004"

    def walk(self):
        stack = list(reversed(self.items))
        while stack:
            item = stack.pop()
            yield item
            stack.extend(reversed(item.children))

    def launchable(self) -> list[CourseItem]:
        return list(self._launchable)

    def sco_ids(self) -> list[str]:
        return [i.identifier for i in self._launchable if i.scorm_type == "sco"]

    def item(self, identifier: str) -> CourseItem | None:
        return self._by_identifier.get(identifier)

    # A course is built once per immutable package version and never changed, so what
    # every commit asks of it is worked out once (walking a large tree per commit adds up).
    @cached_property
    def _launchable(self) -> tuple[CourseItem, ...]:
        return tuple(i for i in self.walk() if i.href)

    @cached_property
    def _by_identifier(self) -> dict[str, CourseItem]:
        found: dict[str, CourseItem] = {}
        for item in self.walk():
            found.setdefault(item.identifier, item)  # the first in document order, as a walk meets it
        return found

    @cached_property
    def launchable_ids(self) -> frozenset[str]:
        return frozenset(i.identifier for i in self._launchable)


def _default_organization(manifest: dict) -> dict | None:
    orgs = manifest.get("organizations") or []
    wanted = manifest.get("default_organization")
    for org in orgs:
        if org.get("identifier") == wanted:
            return org
    return orgs[0] if orgs else None


def course_from_manifest(manifest: dict) -> Course:
    resources = manifest.get("resources") or {}
    org = _default_organization(manifest)

    def build(item: dict) -> CourseItem:
        resource = resources.get(item.get("identifierref") or "") or {}
        href = item.get("launch_href") if resource else None
        sequencing = item.get("sequencing")
        meta = {
            "data_from_lms": item.get("data_from_lms"),
            "mastery_score": item.get("mastery_score"),
            "max_time_allowed": item.get("max_time_allowed"),
            "time_limit_action": item.get("time_limit_action"),
            "completion_threshold": item.get("completion_threshold"),
            "prerequisites": item.get("prerequisites"),
            "scaled_passing_score": _scaled_passing_score(sequencing),
            "objective_ids": _objective_ids(sequencing),
            "sequencing": sequencing,
        }
        return CourseItem(identifier=item["identifier"], title=item.get("title") or item["identifier"],
                          href=href, scorm_type=(resource.get("scorm_type") or "asset") if href else None,
                          visible=item.get("is_visible", True) is not False,
                          children=[build(c) for c in item.get("children") or []], meta=meta)

    items = [build(i) for i in (org or {}).get("items") or []]
    return Course(scorm_version=manifest.get("version") or "1.2",
                  title=(org or {}).get("title") or manifest.get("title") or "",
                  items=items, sequencing=(org or {}).get("sequencing"))


def _scaled_passing_score(sequencing: dict | None):
    """SCORM 2004: the primary objective's minNormalizedMeasure, when satisfiedByMeasure."""
    if not sequencing:
        return None
    objectives = sequencing.get("objectives") or {}
    primary = objectives.get("primary") if isinstance(objectives, dict) else None
    if not primary:
        for objective in (objectives if isinstance(objectives, list) else []):
            if objective.get("primary"):
                primary = objective
                break
    if primary and primary.get("satisfied_by_measure"):
        return primary.get("min_normalized_measure")
    return None


def _objective_ids(sequencing: dict | None) -> list[str]:
    objectives = (sequencing or {}).get("objectives") or []
    if isinstance(objectives, dict):
        objectives = [o for o in [objectives.get("primary"), *(objectives.get("others") or [])] if o]
    return [o["objective_id"] for o in objectives if isinstance(o, dict) and o.get("objective_id")]
