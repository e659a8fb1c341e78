"""The IMS Simple Sequencing model (with ADL's adlseq extensions) as the manifest declares it.

Defaults are those of the IMS SS 1.0 binding and SCORM 2004 4th Edition SN book,
so a player can read every field without knowing which ones the author wrote;
`declared` says which elements were actually present.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

RULE_CONDITIONS = ("satisfied", "objectiveStatusKnown", "objectiveMeasureKnown", "objectiveMeasureGreaterThan",
                   "objectiveMeasureLessThan", "completed", "activityProgressKnown", "attempted",
                   "attemptLimitExceeded", "timeLimitExceeded", "outsideAvailableTimeRange", "always")
ROLLUP_CONDITIONS = ("satisfied", "objectiveStatusKnown", "objectiveMeasureKnown", "completed",
                     "activityProgressKnown", "attempted", "attemptLimitExceeded", "timeLimitExceeded",
                     "outsideAvailableTimeRange")
PRECONDITION_ACTIONS = ("skip", "disabled", "hiddenFromChoice", "stopForwardTraversal")
EXIT_ACTIONS = ("exit",)
POSTCONDITION_ACTIONS = ("exitParent", "exitAll", "retry", "retryAll", "continue", "previous")
ROLLUP_ACTIONS = ("satisfied", "notSatisfied", "completed", "incomplete")
CHILD_ACTIVITY_SETS = ("all", "any", "none", "atLeastCount", "atLeastPercent")
OPERATORS = ("noOp", "not")
COMBINATIONS = ("all", "any")
TIMINGS = ("never", "once", "onEachNewAttempt")
REQUIRED_FOR = ("always", "ifAttempted", "ifNotSkipped", "ifNotSuspended")


@dataclass
class ControlMode:
    choice: bool = True
    choice_exit: bool = True
    flow: bool = False
    forward_only: bool = False
    use_current_attempt_objective_info: bool = True
    use_current_attempt_progress_info: bool = True


@dataclass
class RuleCondition:
    condition: str
    operator: str = "noOp"
    referenced_objective: str | None = None
    measure_threshold: float | None = None


@dataclass
class SequencingRule:
    action: str
    conditions: list[RuleCondition] = field(default_factory=list)
    condition_combination: str = "all"


@dataclass
class LimitConditions:
    attempt_limit: int | None = None  # None: unlimited
    attempt_absolute_duration_limit: str | None = None  # ISO 8601 duration


@dataclass
class RollupCondition:
    condition: str
    operator: str = "noOp"


@dataclass
class RollupRule:
    action: str
    conditions: list[RollupCondition] = field(default_factory=list)
    condition_combination: str = "any"
    child_activity_set: str = "all"
    minimum_count: int = 0
    minimum_percent: float = 0.0


@dataclass
class MapInfo:
    target_objective_id: str
    read_satisfied_status: bool = True
    read_normalized_measure: bool = True
    write_satisfied_status: bool = False
    write_normalized_measure: bool = False


@dataclass
class AdlMapInfo:
    """adlseq:mapInfo (SCORM 2004 4th Edition): the extra objective data shared through a global."""
    target_objective_id: str
    read_raw_score: bool = True
    read_min_score: bool = True
    read_max_score: bool = True
    read_completion_status: bool = True
    read_progress_measure: bool = True
    write_raw_score: bool = False
    write_min_score: bool = False
    write_max_score: bool = False
    write_completion_status: bool = False
    write_progress_measure: bool = False


@dataclass
class Objective:
    objective_id: str | None
    primary: bool = False
    satisfied_by_measure: bool = False
    min_normalized_measure: float = 1.0
    map_info: list[MapInfo] = field(default_factory=list)
    adl_map_info: list[AdlMapInfo] = field(default_factory=list)


@dataclass
class RandomizationControls:
    randomization_timing: str = "never"
    select_count: int | None = None
    reorder_children: bool = False
    selection_timing: str = "never"


@dataclass
class DeliveryControls:
    tracked: bool = True
    completion_set_by_content: bool = False
    objective_set_by_content: bool = False


@dataclass
class RollupConsiderations:
    required_for_satisfied: str = "always"
    required_for_not_satisfied: str = "always"
    required_for_completed: str = "always"
    required_for_incomplete: str = "always"
    measure_satisfaction_if_active: bool = True


@dataclass
class ConstrainedChoiceConsiderations:
    prevent_activation: bool = False
    constrain_choice: bool = False


# Which fields each manifest element sets: the unit in which a local
# <imsss:sequencing> overrides the sequencingCollection entry it references.
ELEMENT_FIELDS = {
    "controlMode": ("control_mode",),
    "sequencingRules": ("precondition_rules", "exit_condition_rules", "postcondition_rules"),
    "limitConditions": ("limit_conditions",),
    "rollupRules": ("rollup_rules", "rollup_objective_satisfied", "rollup_progress_completion",
                    "objective_measure_weight"),
    "objectives": ("objectives",),
    "randomizationControls": ("randomization_controls",),
    "deliveryControls": ("delivery_controls",),
    "rollupConsiderations": ("rollup_considerations",),
    "constrainedChoiceConsiderations": ("constrained_choice_considerations",),
}


@dataclass
class Sequencing:
    id: str | None = None  # ID, when this is an entry of the sequencingCollection
    id_ref: str | None = None  # IDRef this one was merged over, if any
    control_mode: ControlMode = field(default_factory=ControlMode)
    precondition_rules: list[SequencingRule] = field(default_factory=list)
    exit_condition_rules: list[SequencingRule] = field(default_factory=list)
    postcondition_rules: list[SequencingRule] = field(default_factory=list)
    limit_conditions: LimitConditions = field(default_factory=LimitConditions)
    rollup_rules: list[RollupRule] = field(default_factory=list)
    rollup_objective_satisfied: bool = True
    rollup_progress_completion: bool = True
    objective_measure_weight: float = 1.0
    objectives: list[Objective] = field(default_factory=list)  # the primary one first, when declared
    randomization_controls: RandomizationControls = field(default_factory=RandomizationControls)
    delivery_controls: DeliveryControls = field(default_factory=DeliveryControls)
    rollup_considerations: RollupConsiderations = field(default_factory=RollupConsiderations)
    constrained_choice_considerations: ConstrainedChoiceConsiderations = field(
        default_factory=ConstrainedChoiceConsiderations)
    declared: list[str] = field(default_factory=list)  # ELEMENT_FIELDS keys present in the manifest

    @property
    def primary_objective(self) -> Objective | None:
        return next((o for o in self.objectives if o.primary), None)

    def merged_over(self, referenced: "Sequencing") -> "Sequencing":
        """This (local) sequencing combined with the collection entry it references.

        IMS SS: the referenced set supplies every element the local one does not
        declare; an element declared locally replaces the referenced one whole.
        """
        changes = {}
        for element, names in ELEMENT_FIELDS.items():
            if element not in self.declared and element in referenced.declared:
                for name in names:
                    changes[name] = copy_value(getattr(referenced, name))
        declared = [e for e in ELEMENT_FIELDS if e in self.declared or e in referenced.declared]
        return dataclasses.replace(self, id_ref=referenced.id, declared=declared, **changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def copy_value(value):
    """A deep copy of a model value (lists of dataclasses included), so merged sequencings share nothing."""
    if isinstance(value, list):
        return [copy_value(v) for v in value]
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(value, **{f.name: copy_value(getattr(value, f.name))
                                             for f in dataclasses.fields(value) if f.init})
    return value
