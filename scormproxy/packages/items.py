"""Reading <item> trees: titles, ADL extensions, the resource each item launches, and its launch href."""
from __future__ import annotations

from typing import Callable

from . import hrefs
from .manifest import SCORM_12, CompletionThreshold, Item, Resource, SharedDataMap
from .reading import ADLCP, ADLNAV, CP, Reader
from .sequencing import Sequencing

TIME_LIMIT_ACTIONS = ("exit,message", "exit,no message", "continue,message", "continue,no message")
HIDE_LMS_UI = ("previous", "continue", "exit", "exitAll", "abandon", "abandonAll", "suspendAll")


class ItemReader:
    """Reads the items of every organization, sharing one identifier space and one set of checks."""

    def __init__(self, reader: Reader, version: str, resources: dict[str, Resource], files: set[str] | None,
                 remote_hrefs: dict[str, str], refused_hrefs: set[str], allow_remote: bool,
                 read_sequencing: Callable[[object], Sequencing | None]):
        self.r, self.version, self.resources, self.files = reader, version, resources, files
        self.remote_hrefs, self.allow_remote, self.read_sequencing = remote_hrefs, allow_remote, read_sequencing
        # Resources whose href was already refused: launching them needs no second error.
        self._launch_checked: set[str] = set(refused_hrefs)
        self.identifiers: set[str] = set()

    def register(self, identifier: str, el, kind: str) -> None:
        """Organizations and items are activities: one identifier each, never shared."""
        if not identifier:
            self.r.error("manifest.missing_identifier", f"an {kind} has no identifier", el)
        elif identifier in self.identifiers:
            self.r.error("manifest.duplicate_identifier", f"identifier {identifier!r} names more than one "
                         "organization or item", el, f"{kind} {identifier!r}")
        else:
            self.identifiers.add(identifier)
            if identifier in self.resources:
                self.r.warn("manifest.identifier_shared", f"identifier {identifier!r} names both an {kind} and "
                            "a resource", el, f"{kind} {identifier!r}")

    def read(self, el) -> Item:
        r = self.r
        identifier = (r.attr(el, "identifier") or "").strip()
        self.register(identifier, el, "item")
        label = f"item {identifier!r}"
        title = r.text(r.child(el, CP, "title"))
        if not title:
            r.warn("manifest.title_missing", f"item {identifier!r} has no title", el, label)
        item = Item(
            identifier=identifier, title=title or identifier,
            identifierref=(r.attr(el, "identifierref") or "").strip() or None,
            parameters=r.attr(el, "parameters"),
            is_visible=r.boolean(el, "isvisible", True),
            children=[self.read(child) for child in r.children(el, CP, "item")],
            data_from_lms=r.text(r.child(el, ADLCP, "dataFromLMS")) or None,
            mastery_score=r.decimal(r.text(r.child(el, ADLCP, "masteryscore")), "adlcp:masteryscore", el, None,
                                    0.0, 100.0),
            max_time_allowed=r.text(r.child(el, ADLCP, "maxtimeallowed")) or None,
            time_limit_action=r.token(r.text(r.child(el, ADLCP, "timeLimitAction")), "adlcp:timeLimitAction", el,
                                      TIME_LIMIT_ACTIONS, None),
            prerequisites=r.text(r.child(el, ADLCP, "prerequisites")) or None,
            completion_threshold=self._completion_threshold(r.child(el, ADLCP, "completionThreshold")),
            presentation=self._presentation(el),
            sequencing=self.read_sequencing(el),
            data_maps=self._data_maps(el))
        self._link(item, el, label)
        return item

    def _link(self, item: Item, el, label: str) -> None:
        r = self.r
        if item.identifierref is None:
            return
        resource = self.resources.get(item.identifierref)
        if resource is None:
            r.error("manifest.missing_identifierref", f"item {item.identifier!r} refers to resource "
                    f"{item.identifierref!r}, which does not exist", el, label)
            return
        item.resource = resource
        if item.children:
            # SCORM 2004 launches leaves only; SCORM 1.2 LMSs launch such parents too.
            ignored = "" if self.version == SCORM_12 else "; SCORM 2004 ignores it"
            r.warn("manifest.parent_with_resource", f"item {item.identifier!r} has children and also refers to "
                   f"a resource{ignored}", el, label)
            if self.version != SCORM_12:
                return
        item.launch_href = self._launch_href(item, resource, el, label)

    def _launch_href(self, item: Item, resource: Resource, el, label: str) -> str | None:
        r = self.r
        if resource.identifier in self.remote_hrefs:
            remote = self.remote_hrefs[resource.identifier]
            if self.allow_remote:
                r.info("manifest.remote_href", f"item {item.identifier!r} launches remote content {remote!r}",
                       el, label)
                return hrefs.join_parameters(remote, item.parameters)
            r.error("manifest.remote_href", f"item {item.identifier!r} launches remote content {remote!r}; "
                    "only files inside the package can be launched", el, label)
            return None
        if resource.href is None:
            if resource.identifier not in self._launch_checked:
                r.error("manifest.resource_without_href", f"item {item.identifier!r} launches resource "
                        f"{resource.identifier!r}, which has no usable href", el, label)
            self._launch_checked.add(resource.identifier)
            return None
        if self.files is not None and resource.href_path not in self.files:
            if resource.identifier not in self._launch_checked:
                r.error("manifest.launch_missing", f"launch file {resource.href_path!r} of resource "
                        f"{resource.identifier!r} is not in the package", el, label)
            self._launch_checked.add(resource.identifier)
            return None
        return hrefs.join_parameters(resource.href, item.parameters)

    def _completion_threshold(self, el) -> CompletionThreshold | None:
        if el is None:
            return None
        r = self.r
        name = "adlcp:completionThreshold"
        if any(r.attr(el, a) is not None for a in ("completedByMeasure", "minProgressMeasure", "progressWeight")):
            return CompletionThreshold(
                completed_by_measure=r.boolean(el, "completedByMeasure", False),
                min_progress_measure=r.decimal(r.attr(el, "minProgressMeasure"), name, el, 1.0, 0.0, 1.0),
                progress_weight=r.decimal(r.attr(el, "progressWeight"), name, el, 1.0, 0.0, 1.0))
        value = r.decimal(r.text(el), name, el, None, 0.0, 1.0)
        return CompletionThreshold(completed_by_measure=True, min_progress_measure=value) \
            if value is not None else None

    def _presentation(self, el) -> list[str]:
        r, hidden = self.r, []
        for presentation in r.children(el, ADLNAV, "presentation"):
            for interface in r.children(presentation, ADLNAV, "navigationInterface"):
                for hide in r.children(interface, ADLNAV, "hideLMSUI"):
                    value = r.token(r.text(hide), "adlnav:hideLMSUI", hide, HIDE_LMS_UI, None)
                    if value and value not in hidden:
                        hidden.append(value)
        return hidden

    def _data_maps(self, el) -> list[SharedDataMap]:
        r, maps = self.r, []
        for data in r.children(el, ADLCP, "data"):
            for map_el in r.children(data, ADLCP, "map"):
                target = (r.attr(map_el, "targetID") or "").strip()
                if not target:
                    r.warn("manifest.invalid_value", "adlcp:map without targetID is ignored", map_el)
                    continue
                maps.append(SharedDataMap(target, r.boolean(map_el, "readSharedData", True),
                                          r.boolean(map_el, "writeSharedData", True)))
        return maps
