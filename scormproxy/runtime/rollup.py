"""Server-side SCORM 2004 rollup (SN book 4.6, pseudo code RB.1.x): the course's status from its SCOs' outcomes."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction
from typing import Collection, Iterable, Mapping

from ..packages.sequencing import Objective, RollupRule, Sequencing
from .course import Course, CourseItem
from .results import ScoOutcome

# Every field a manifest can leave out, with the IMS SS / SN defaults the parser documents.
_SEQUENCING_DEFAULTS = Sequencing().to_dict()
_RULE_DEFAULTS = dataclasses.asdict(RollupRule(action=""))
_IMPLICIT_PRIMARY = dataclasses.asdict(Objective(objective_id=None, primary=True))

OBJECTIVE_ACTIONS = ("satisfied", "notSatisfied")
PROGRESS_ACTIONS = ("completed", "incomplete")


def _default_rule(action: str, condition: str) -> dict:
    return {**_RULE_DEFAULTS, "action": action, "child_activity_set": "all",
            "conditions": [{"condition": condition, "operator": "noOp"}]}


# SN 4.6.5 / 4.6.6 default rules, applied per pair only when the activity defines neither action of
# the pair: not satisfied when all children's objective status is known, satisfied when all are
# satisfied (likewise incomplete / completed). Listed in evaluation order: the second of a pair wins
# (RB.1.2 b and RB.1.3 b evaluate "not satisfied" / "incomplete" first).
_DEFAULT_RULES = {
    OBJECTIVE_ACTIONS: (_default_rule("notSatisfied", "objectiveStatusKnown"), _default_rule("satisfied", "satisfied")),
    PROGRESS_ACTIONS: (_default_rule("incomplete", "activityProgressKnown"), _default_rule("completed", "completed")),
}


@dataclass(frozen=True)
class _Status:
    """The tracking status the rollup reads (SN 4.2); None is "status not known"."""
    attempted: bool = False
    suspended: bool = False
    completed: bool | None = None    # Attempt Progress Status / Attempt Completion Status
    satisfied: bool | None = None    # Objective Progress Status / Objective Satisfied Status
    measure: float | None = None     # Objective Measure Status / Objective Normalized Measure (0..1 here)


@dataclass
class _Activity:
    identifier: str | None           # None for the organization (the root activity)
    sequencing: dict
    children: list["_Activity"]
    is_sco: bool
    completion_threshold: dict | None = None

    @property
    def primary(self) -> dict:
        # Every activity has a primary objective that contributes to rollup; a manifest that
        # declares none gets the implicit one with default settings (CAM 5.1.x, SN 4.6.5).
        for objective in self.sequencing.get("objectives") or []:
            if objective.get("primary"):
                return {**_IMPLICIT_PRIMARY, **objective}
        return _IMPLICIT_PRIMARY

    @property
    def counts(self) -> bool:
        """Whether it can take part in its parent's rollup at all.

        Tracked false (SN 3.13.1) keeps an activity out. So do leaves that are not SCOs, and
        clusters with no SCO below: only SCOs report outcomes here, and an asset the sequencer
        would mark complete on delivery (SN 4.6, delivery controls) is never seen by the server,
        so counting it would hold the course back forever.
        """
        if not self.sequencing["delivery_controls"]["tracked"]:
            return False
        return self.is_sco if not self.children else any(child.counts for child in self.children)


def rollup_course(course: Course, outcomes: Mapping[str, ScoOutcome], *,
                  suspended: Collection[str] = ()) -> dict | None:
    """The organization's rolled-up status, {"completed", "satisfied", "score"}, for course_result.

    `outcomes` holds the SCOs that have been attempted, keyed by item identifier; `suspended` the
    items whose last session ended with suspend (for the ifNotSuspended considerations). Returns
    None for SCORM 1.2 and for a 2004 course without any sequencing, so the rule without
    sequencing applies. "satisfied" is None while the root's objective status is unknown;
    "completed" is True only when the rollup says completed (an unknown completion does not
    complete the course: the manifest's rollup decides); "score" is the root's normalized measure
    x 100 when known.

    The server sees stored outcomes, not a live session: no activity counts as active (so
    measureSatisfactionIfActive has no effect), a SCO's attempt count is only known to be at
    least one, global objectives and time limits are not tracked (conditions on them are unknown).
    """
    if course.family != "2004" or not _has_sequencing(course):
        return None
    root = _Activity(identifier=None, sequencing=_filled(course.sequencing),
                     children=[_activity(item) for item in course.items], is_sco=False)
    status = _status(root, outcomes, frozenset(suspended))
    score = None if status.measure is None else min(max(status.measure * 100, 0.0), 100.0)
    return {"completed": status.completed is True, "satisfied": status.satisfied, "score": score}


def _has_sequencing(course: Course) -> bool:
    return course.sequencing is not None or any(item.meta.get("sequencing") for item in course.walk())


def _filled(sequencing: dict | None) -> dict:
    """The JSON sequencing of an activity with every absent field at its default."""
    filled = dict(_SEQUENCING_DEFAULTS)
    for name, value in (sequencing or {}).items():
        default = _SEQUENCING_DEFAULTS.get(name)
        filled[name] = {**default, **value} if isinstance(default, dict) and isinstance(value, dict) else value
    return filled


def _activity(item: CourseItem) -> _Activity:
    return _Activity(identifier=item.identifier, sequencing=_filled(item.meta.get("sequencing")),
                     children=[_activity(child) for child in item.children],
                     is_sco=bool(item.href) and item.scorm_type == "sco",
                     completion_threshold=item.meta.get("completion_threshold"))


def _status(activity: _Activity, outcomes: Mapping[str, ScoOutcome], suspended: frozenset) -> _Status:
    """Overall Rollup Process (SN 4.6.1, RB.1.5), applied to the whole tree bottom-up."""
    if not activity.children:
        return _leaf_status(activity, outcomes.get(activity.identifier), activity.identifier in suspended)
    children = [(child, _status(child, outcomes, suspended)) for child in activity.children]
    children = [(child, status) for child, status in children if child.counts]
    measure = _measure_rollup(children)
    return _Status(attempted=any(status.attempted for _, status in children),
                   suspended=any(status.suspended for _, status in children),
                   completed=_progress_rollup(activity, children),
                   satisfied=_objective_rollup(activity, children, measure),
                   measure=measure)


def _leaf_status(activity: _Activity, outcome: ScoOutcome | None, suspended: bool) -> _Status:
    if outcome is None:
        return _Status()
    measure = None if outcome.score is None else outcome.score / 100
    satisfied = outcome.passed
    primary = activity.primary
    if primary["satisfied_by_measure"]:
        # RB.1.5 applies the objective rollup to leaves too: with satisfiedByMeasure the
        # measure alone decides (RB.1.2 a), unknown when there is none.
        satisfied = None if measure is None else measure >= primary["min_normalized_measure"]
    # ScoOutcome does not tell "incomplete" from "unknown": a launched SCO counts as in progress.
    return _Status(attempted=True, suspended=suspended, completed=outcome.completed, satisfied=satisfied,
                   measure=measure)


def _measure_rollup(children: list[tuple[_Activity, _Status]]) -> float | None:
    """Measure Rollup Process (SN 4.6.3, RB.1.1 a): the weighted mean of the children's measures.

    A child with an unknown measure still counts with its weight (it pulls the mean down); a
    child of weight 0 does not count at all (SN 3.8.2), and no known measure means no measure.
    """
    total, counted, valid = 0.0, 0.0, False
    for child, status in children:
        weight = float(child.sequencing["objective_measure_weight"])
        if weight <= 0:
            continue
        counted += weight
        if status.measure is not None:
            total += status.measure * weight
            valid = True
    return total / counted if valid and counted > 0 else None


def _objective_rollup(activity: _Activity, children, measure: float | None) -> bool | None:
    """Objective Rollup Process (SN 4.6.5, RB.1.2): by measure when the primary objective is
    satisfiedByMeasure (RB.1.2 a), else by the rollup rules or their defaults (RB.1.2 b)."""
    primary = activity.primary
    if primary["satisfied_by_measure"]:
        return None if measure is None else measure >= primary["min_normalized_measure"]
    return _apply_rules(activity, children, OBJECTIVE_ACTIONS)


def _progress_rollup(activity: _Activity, children) -> bool | None:
    """Activity Progress Rollup Process (SN 4.6.6, RB.1.3)."""
    threshold = activity.completion_threshold or {}
    if threshold.get("completed_by_measure"):
        # RB.1.3 a needs the completion measure rolled up from the SCOs' progress measures
        # (RB.1.1 b), which ScoOutcome does not carry: the completion amount stays unknown.
        return None
    return _apply_rules(activity, children, PROGRESS_ACTIONS)


def _apply_rules(activity: _Activity, children, actions: tuple[str, str]) -> bool | None:
    rules = [rule for rule in activity.sequencing["rollup_rules"] if rule.get("action") in actions]
    if not rules:
        rules = list(_DEFAULT_RULES[actions])
    negative, positive = actions[1], actions[0]
    result = None
    # The negative action is checked first so that the positive one wins when both apply.
    if any(_rule_applies({**_RULE_DEFAULTS, **rule}, children) for rule in rules if rule["action"] == negative):
        result = False
    if any(_rule_applies({**_RULE_DEFAULTS, **rule}, children) for rule in rules if rule["action"] == positive):
        result = True
    return result


def _rule_applies(rule: dict, children) -> bool:
    """Rollup Rule Check Subprocess (SN 4.6.2, RB.1.4): the child activity set over the bag of
    contributing children's condition results (True, False or unknown)."""
    bag = [_rollup_conditions(rule, child, status) for child, status in children
           if _contributes(child, status, rule["action"])]
    trues = sum(1 for value in bag if value is True)
    known = any(value is not None for value in bag)
    kind = rule["child_activity_set"]
    # An empty bag says nothing: no child activity set applies over it.
    if kind == "all":
        return bool(bag) and trues == len(bag)
    if kind == "any":
        return trues > 0
    if kind == "none":
        return bool(bag) and all(value is False for value in bag)
    if kind == "atLeastCount":
        return known and trues >= int(rule["minimum_count"] or 0)
    if kind == "atLeastPercent":
        return known and Fraction(trues, len(bag)) >= Fraction(str(rule["minimum_percent"] or 0))
    return False


def _contributes(child: _Activity, status: _Status, action: str) -> bool:
    """Check Child for Rollup Subprocess (SN 4.6.2, RB.1.4.2) with the rollup controls (SN 3.8)
    and adlseq rollup considerations (SN 3.9)."""
    seq = child.sequencing
    if action in OBJECTIVE_ACTIONS and not seq["rollup_objective_satisfied"]:
        return False
    if action in PROGRESS_ACTIONS and not seq["rollup_progress_completion"]:
        return False
    considerations = seq["rollup_considerations"]
    required = considerations.get({"satisfied": "required_for_satisfied",
                                   "notSatisfied": "required_for_not_satisfied",
                                   "completed": "required_for_completed",
                                   "incomplete": "required_for_incomplete"}[action]) or "always"
    if required == "ifNotSuspended":
        return status.attempted and not status.suspended
    if required == "ifAttempted":
        return status.attempted
    if required == "ifNotSkipped":
        return not _skipped(child, status)
    return True


def _skipped(activity: _Activity, status: _Status) -> bool:
    """Sequencing Rules Check Process (UP.2) for the activity's "skip" precondition rules."""
    for rule in activity.sequencing["precondition_rules"]:
        if rule.get("action") != "skip":
            continue
        results = [_condition(c, activity, status) for c in rule.get("conditions") or []]
        if results and _combine(results, rule.get("condition_combination") or "all") is True:
            return True
    return False


def _rollup_conditions(rule: dict, child: _Activity, status: _Status) -> bool | None:
    """Evaluate Rollup Conditions Subprocess (RB.1.4.1); no condition at all means "always"."""
    conditions = rule.get("conditions") or []
    if not conditions:
        return True
    return _combine([_condition(c, child, status) for c in conditions], rule["condition_combination"])


def _condition(condition: dict, activity: _Activity, status: _Status) -> bool | None:
    """One rule condition, three-valued (SN 4.6.2 / UP.2.1): "not" leaves an unknown unknown."""
    value = _condition_value(condition, activity, status)
    if condition.get("operator") == "not" and value is not None:
        return not value
    return value


def _condition_value(condition: dict, activity: _Activity, status: _Status) -> bool | None:
    name = condition.get("condition")
    referenced = condition.get("referenced_objective")
    # Only the primary objective is known here; another one lives in a global the server does not track.
    objective_known = referenced in (None, "", activity.primary.get("objective_id"))
    threshold = condition.get("measure_threshold")
    if name == "always":
        return True
    if name == "attempted":
        return status.attempted
    if name == "completed":
        return status.completed
    if name == "activityProgressKnown":
        return status.completed is not None
    if name == "attemptLimitExceeded":
        return _attempt_limit_exceeded(activity, status)
    if name in ("timeLimitExceeded", "outsideAvailableTimeRange"):
        return None
    if not objective_known:
        return None
    if name == "satisfied":
        return status.satisfied
    if name == "objectiveStatusKnown":
        return status.satisfied is not None
    if name == "objectiveMeasureKnown":
        return status.measure is not None
    if name in ("objectiveMeasureGreaterThan", "objectiveMeasureLessThan"):
        if status.measure is None or threshold is None:
            return None
        return status.measure > threshold if name == "objectiveMeasureGreaterThan" else status.measure < threshold
    return None


def _attempt_limit_exceeded(activity: _Activity, status: _Status) -> bool | None:
    """Limit Conditions Check (UP.1): attempts so far >= attemptLimit; no limit is never exceeded."""
    limit = (activity.sequencing["limit_conditions"] or {}).get("attempt_limit")
    if not limit:
        return False
    if not status.attempted:
        return False
    # An attempted SCO has had at least one attempt; how many more is not known here.
    return True if limit <= 1 else None


def _combine(values: Iterable[bool | None], combination: str) -> bool | None:
    """Condition combination "all" / "any" in three-valued (Kleene) logic."""
    values = list(values)
    if combination == "all":
        return False if False in values else (None if None in values else True)
    return True if True in values else (None if None in values else False)
