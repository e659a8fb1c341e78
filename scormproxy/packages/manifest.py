"""The parsed imsmanifest.xml: organizations, items, resources and sequencing, as plain dataclasses."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Iterator

from .findings import Finding
from .sequencing import Sequencing

SCORM_12 = "1.2"
SCORM_2004_2ND = "2004 2nd Edition"
SCORM_2004_3RD = "2004 3rd Edition"
SCORM_2004_4TH = "2004 4th Edition"
VERSIONS = (SCORM_12, SCORM_2004_2ND, SCORM_2004_3RD, SCORM_2004_4TH)


@dataclass
class CompletionThreshold:
    """adlcp:completionThreshold. 3rd Edition writes only a number, read here as min_progress_measure
    with completed_by_measure true; 4th Edition writes the three attributes."""
    completed_by_measure: bool = False
    min_progress_measure: float = 1.0
    progress_weight: float = 1.0


@dataclass
class SharedDataMap:
    """adlcp:data/adlcp:map (SCORM 2004 4th Edition shared data buckets)."""
    target_id: str
    read_shared_data: bool = True
    write_shared_data: bool = True


@dataclass
class Resource:
    identifier: str
    type: str | None
    scorm_type: str | None  # 'sco' | 'asset' | None when the manifest does not say
    href: str | None  # resolved against xml:base, relative to the package root, query kept
    base: str  # the xml:base chain that applied, as a folder ('' when none)
    files: list[str] = field(default_factory=list)  # package paths, resolved
    dependencies: list[str] = field(default_factory=list)  # resource identifiers
    href_path: str | None = None  # the package file the href names (decoded, no query)


@dataclass
class Item:
    identifier: str
    title: str
    identifierref: str | None = None
    resource: Resource | None = field(default=None, repr=False, metadata={"json": False})
    parameters: str | None = None
    is_visible: bool = True
    children: list["Item"] = field(default_factory=list)
    data_from_lms: str | None = None
    mastery_score: float | None = None  # SCORM 1.2 adlcp:masteryscore, 0..100
    max_time_allowed: str | None = None  # SCORM 1.2 adlcp:maxtimeallowed, as written
    time_limit_action: str | None = None
    prerequisites: str | None = None  # SCORM 1.2 adlcp:prerequisites (AICC script), as written
    completion_threshold: CompletionThreshold | None = None
    presentation: list[str] = field(default_factory=list)  # adlnav hideLMSUI values
    sequencing: Sequencing | None = None  # merged with its sequencingCollection entry
    launch_href: str | None = None  # resource href + parameters; None when not launchable
    data_maps: list[SharedDataMap] = field(default_factory=list)

    def walk(self) -> Iterator["Item"]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Organization:
    identifier: str
    title: str
    items: list[Item] = field(default_factory=list)
    sequencing: Sequencing | None = None
    objectives_global_to_system: bool = True
    shared_data_global_to_system: bool = True

    def walk(self) -> Iterator[Item]:
        for item in self.items:
            yield from item.walk()


@dataclass
class Manifest:
    identifier: str | None
    version: str  # one of VERSIONS
    schema: str | None
    schemaversion: str | None
    title: str
    description: str | None
    default_organization: str | None  # organizations/@default as written
    organizations: list[Organization] = field(default_factory=list)
    resources: dict[str, Resource] = field(default_factory=dict)
    sequencing_collection: dict[str, Sequencing] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)  # warnings and infos; errors raise

    @property
    def organization(self) -> Organization | None:
        """The default organization, else the first one (the parser warned about the mismatch)."""
        for org in self.organizations:
            if org.identifier == self.default_organization:
                return org
        return self.organizations[0] if self.organizations else None

    @property
    def is_scorm_2004(self) -> bool:
        return self.version != SCORM_12

    def launchable_items(self) -> list[Item]:
        """Items of the default organization, in tree order, that open a resource."""
        org = self.organization
        return [item for item in org.walk() if item.launch_href] if org else []

    def scos(self) -> list[tuple[Item, Resource]]:
        return [(item, item.resource) for item in self.launchable_items()
                if item.resource is not None and item.resource.scorm_type == "sco"]

    @property
    def has_sequencing(self) -> bool:
        if self.sequencing_collection:
            return True
        return any(org.sequencing is not None or any(i.sequencing is not None for i in org.walk())
                   for org in self.organizations)

    def resource_files(self, identifier: str) -> list[str]:
        """Files of a resource and, transitively, of its dependencies (each once, cycles tolerated)."""
        seen, files, pending = set(), [], [identifier]
        while pending:
            current = pending.pop(0)
            if current in seen or current not in self.resources:
                continue
            seen.add(current)
            resource = self.resources[current]
            files += [f for f in resource.files if f not in files]
            pending += resource.dependencies
        return files

    def to_dict(self) -> dict:
        return to_dict(self)


def to_dict(value):
    """JSON-ready form of a model value; an item's resource is left out (its identifierref names it)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_dict(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.metadata.get("json", True)}
    if isinstance(value, dict):
        return {key: to_dict(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_dict(v) for v in value]
    return value
