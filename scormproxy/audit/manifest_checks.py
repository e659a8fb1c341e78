"""Audit checks on a parsed manifest that the parser leaves alone: SCORM limits and tracking on assets."""
from __future__ import annotations

import re

from ..packages import Finding, Item, Manifest
from ..packages.manifest import SCORM_12
from ..runtime.limits import S12_STRING_4096, S2004_LAUNCH_DATA_CHARS

# Where the manifest's value becomes a run-time value, the run-time size applies.
S12_LAUNCH_DATA_CHARS = S12_STRING_4096  # SCORM 1.2 RTE 3.4: cmi.launch_data is a CMIString4096
# SCORM CAM (1.2 and 2004): <title> of organizations and items, SPM 200 characters.
TITLE_CHARS = 200
# SCORM 2004 CAM 3.4.1.9 item@parameters: characterstring, SPM 1000.
S2004_PARAMETERS_CHARS = 1000
# SCORM 1.2 CAM adlcp:maxtimeallowed is a CMITimespan: HHHH:MM:SS.SS.
_CMI_TIMESPAN = re.compile(r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$")


def manifest_findings(manifest: Manifest, location: str = "imsmanifest.xml") -> list[Finding]:
    findings: list[Finding] = []
    for org in manifest.organizations:
        if len(org.title) > TITLE_CHARS:
            findings.append(_title_too_long("organization", org.identifier, org.title, location))
        for item in org.walk():
            findings += _item_findings(manifest, item, location)
    findings += _remote_findings(manifest, location)
    return findings


def _item_findings(manifest: Manifest, item: Item, location: str) -> list[Finding]:
    where = f"{location} item {item.identifier!r}"
    findings = []
    if len(item.title) > TITLE_CHARS:
        findings.append(_title_too_long("item", item.identifier, item.title, location))
    limit = S12_LAUNCH_DATA_CHARS if manifest.version == SCORM_12 else S2004_LAUNCH_DATA_CHARS
    if item.data_from_lms is not None and len(item.data_from_lms) > limit:
        findings.append(Finding("warning", "limits.launch_data_too_long",
                                f"item {item.identifier!r} declares {len(item.data_from_lms)} characters of "
                                f"dataFromLMS; cmi.launch_data holds {limit} in SCORM {manifest.version}", where))
    if manifest.version != SCORM_12 and item.parameters and len(item.parameters) > S2004_PARAMETERS_CHARS:
        findings.append(Finding("info", "limits.parameters_too_long",
                                f"item {item.identifier!r} has {len(item.parameters)} characters of parameters; "
                                f"LMSs need only keep {S2004_PARAMETERS_CHARS}", where))
    if manifest.version == SCORM_12 and item.max_time_allowed and not _CMI_TIMESPAN.match(item.max_time_allowed):
        findings.append(Finding("warning", "manifest.max_time_allowed_invalid",
                                f"item {item.identifier!r} adlcp:maxtimeallowed {item.max_time_allowed!r} is not "
                                "a CMITimespan (HHHH:MM:SS.SS)", where))
    expectations = tracking_expectations(item)
    if expectations and item.resource is not None and item.resource.scorm_type != "sco":
        kind = item.resource.scorm_type or "untyped"
        findings.append(Finding("warning", "manifest.tracking_on_asset",
                                f"item {item.identifier!r} expects tracking ({', '.join(expectations)}) but "
                                f"launches {kind} resource {item.resource.identifier!r}, which cannot talk to "
                                "the LMS", where))
    return findings


def tracking_expectations(item: Item) -> list[str]:
    """What an item declares that only a SCO's run-time calls can satisfy."""
    found = []
    if item.mastery_score is not None:
        found.append("masteryscore")
    if item.data_from_lms:
        found.append("dataFromLMS")
    if item.max_time_allowed or item.time_limit_action:
        found.append("time limit")
    if item.completion_threshold is not None:
        found.append("completionThreshold")
    seq = item.sequencing
    if seq is not None:
        if any(o.satisfied_by_measure for o in seq.objectives):
            found.append("objectives satisfied by measure")
        elif "objectives" in seq.declared and seq.objectives:
            found.append("sequencing objectives")
        if seq.delivery_controls.completion_set_by_content or seq.delivery_controls.objective_set_by_content:
            found.append("status set by content")
    return found


def _remote_findings(manifest: Manifest, location: str) -> list[Finding]:
    """Remote resource hrefs: the parser refuses them unless remote content is allowed; say which are plain http."""
    findings = []
    for resource in manifest.resources.values():
        href = (resource.href or "").strip()
        if href.lower().startswith("http://"):
            findings.append(Finding("warning", "content.insecure_reference",
                                    f"resource {resource.identifier!r} launches {href!r} over plain http",
                                    f"{location} resource {resource.identifier!r}"))
        elif href.lower().startswith(("https://", "//")):
            findings.append(Finding("info", "content.external_reference",
                                    f"resource {resource.identifier!r} launches content from another host: {href!r}",
                                    f"{location} resource {resource.identifier!r}"))
    return findings


def _title_too_long(kind: str, identifier: str, title: str, location: str) -> Finding:
    return Finding("info", "limits.title_too_long", f"{kind} {identifier!r} has a {len(title)}-character title; "
                   f"LMSs need only keep {TITLE_CHARS}", f"{location} {kind} {identifier!r}")
