"""The report's view of a parsed manifest: identity, organization tree, SCOs and assets, sequencing summary."""
from __future__ import annotations

from ..packages import Item, Manifest, Organization, Resource, Sequencing
from ..packages.manifest import SCORM_12


def identity(manifest: Manifest | None) -> dict:
    if manifest is None:
        return {"identifier": None, "title": None, "description": None, "scorm_version": None,
                "scorm_edition": None, "metadata_schema": None, "metadata_schemaversion": None}
    edition = None if manifest.version == SCORM_12 else manifest.version.removeprefix("2004 ")
    return {"identifier": manifest.identifier, "title": manifest.title, "description": manifest.description,
            "scorm_version": manifest.version, "scorm_edition": edition, "metadata_schema": manifest.schema,
            "metadata_schemaversion": manifest.schemaversion}


def item_kind(item: Item) -> str:
    """'sco' or 'asset' for what a learner can launch; 'container' for the rest."""
    if item.launch_href and item.resource is not None:
        return "sco" if item.resource.scorm_type == "sco" else "asset"
    return "container"


def organizations(manifest: Manifest) -> list[dict]:
    used = manifest.organization
    return [_organization(org, org is used) for org in manifest.organizations]


def _organization(org: Organization, is_default: bool) -> dict:
    return {"identifier": org.identifier, "title": org.title, "is_default": is_default,
            "sequencing": sequencing_view(org.sequencing), "items": [_item(item) for item in org.items]}


def _item(item: Item) -> dict:
    threshold = item.completion_threshold
    return {
        "identifier": item.identifier,
        "title": item.title,
        "kind": item_kind(item),
        "resource": item.identifierref,
        "launch": item.launch_href,
        "parameters": item.parameters,
        "is_visible": item.is_visible,
        "mastery_score": item.mastery_score,
        "max_time_allowed": item.max_time_allowed,
        "time_limit_action": item.time_limit_action,
        "data_from_lms": item.data_from_lms,
        "prerequisites": item.prerequisites,
        "completion_threshold": None if threshold is None else {
            "completed_by_measure": threshold.completed_by_measure,
            "min_progress_measure": threshold.min_progress_measure,
            "progress_weight": threshold.progress_weight},
        "sequencing": sequencing_view(item.sequencing),
        "children": [_item(child) for child in item.children],
    }


def launchables(manifest: Manifest, kind: str) -> list[dict]:
    """The default organization's SCOs (or assets), as DESIGN.md's `scos` list describes them."""
    return [{"identifier": item.identifier, "title": item.title, "href": item.launch_href,
             "resource": item.identifierref}
            for item in manifest.launchable_items() if item_kind(item) == kind]


def launch_files(manifest: Manifest) -> list[str]:
    paths = {item.resource.href_path for org in manifest.organizations for item in org.walk()
             if item.launch_href and item.resource is not None and item.resource.href_path}
    return sorted(paths)


def resources(manifest: Manifest) -> list[dict]:
    return [_resource(resource) for resource in manifest.resources.values()]


def _resource(resource: Resource) -> dict:
    return {"identifier": resource.identifier, "type": resource.type, "scorm_type": resource.scorm_type,
            "href": resource.href, "file_count": len(resource.files), "dependencies": list(resource.dependencies)}


def sequencing_view(seq: Sequencing | None) -> dict | None:
    """What one activity's sequencing asks for, without the defaults it did not declare."""
    if seq is None:
        return None
    control = seq.control_mode
    limits = seq.limit_conditions
    delivery = seq.delivery_controls
    return {
        "declared": list(seq.declared),
        "control_mode": {"choice": control.choice, "choice_exit": control.choice_exit, "flow": control.flow,
                         "forward_only": control.forward_only},
        "precondition_rules": len(seq.precondition_rules),
        "exit_condition_rules": len(seq.exit_condition_rules),
        "postcondition_rules": len(seq.postcondition_rules),
        "rollup_rules": len(seq.rollup_rules),
        "attempt_limit": limits.attempt_limit,
        "attempt_absolute_duration_limit": limits.attempt_absolute_duration_limit,
        "objectives": [{"identifier": o.objective_id, "primary": o.primary,
                        "satisfied_by_measure": o.satisfied_by_measure,
                        "min_normalized_measure": o.min_normalized_measure,
                        "global_objectives": [m.target_objective_id for m in o.map_info]}
                       for o in seq.objectives],
        "tracked": delivery.tracked,
        "completion_set_by_content": delivery.completion_set_by_content,
        "objective_set_by_content": delivery.objective_set_by_content,
    }


def sequencing_summary(manifest: Manifest | None) -> dict:
    """Package-wide totals, so an auditor sees at a glance how much sequencing the player must honour."""
    summary = {"present": False, "applies": False, "activities_with_sequencing": 0, "collection_entries": 0,
               "precondition_rules": 0, "exit_condition_rules": 0, "postcondition_rules": 0, "rollup_rules": 0,
               "objectives": 0, "global_objectives": [], "attempt_limited_activities": 0,
               "duration_limited_activities": 0, "randomized_activities": 0}
    if manifest is None:
        return summary
    sequencings = [org.sequencing for org in manifest.organizations]
    sequencings += [item.sequencing for org in manifest.organizations for item in org.walk()]
    sequencings = [seq for seq in sequencings if seq is not None]
    global_ids: set[str] = set()
    for seq in sequencings:
        for name in ("precondition_rules", "exit_condition_rules", "postcondition_rules", "rollup_rules"):
            summary[name] += len(getattr(seq, name))
        summary["objectives"] += len(seq.objectives)
        global_ids.update(m.target_objective_id for o in seq.objectives for m in o.map_info)
        summary["attempt_limited_activities"] += seq.limit_conditions.attempt_limit is not None
        summary["duration_limited_activities"] += seq.limit_conditions.attempt_absolute_duration_limit is not None
        randomization = seq.randomization_controls
        summary["randomized_activities"] += randomization.reorder_children or randomization.select_count is not None
    summary.update(present=manifest.has_sequencing, applies=manifest.has_sequencing and manifest.is_scorm_2004,
                   activities_with_sequencing=len(sequencings),
                   collection_entries=len(manifest.sequencing_collection),
                   global_objectives=sorted(global_ids))
    return summary
