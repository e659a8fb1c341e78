"""IMS Simple Sequencing: the structured model a player runs, collection references merged."""
from __future__ import annotations

import pytest

from scormproxy.packages import PackageError, parse_manifest
from scormproxy.packages.sequencing import Sequencing

from .manifests import FILES, manifest_2004

FULL = """
<imsss:sequencing>
  <imsss:controlMode choice="false" choiceExit="false" flow="true" forwardOnly="true"
                     useCurrentAttemptObjectiveInfo="false" useCurrentAttemptProgressInfo="0"/>
  <imsss:sequencingRules>
    <imsss:preConditionRule>
      <imsss:ruleConditions conditionCombination="any">
        <imsss:ruleCondition referencedObjective="prev" operator="not" condition="satisfied"/>
        <imsss:ruleCondition condition="objectiveMeasureGreaterThan" measureThreshold="0.5"/>
      </imsss:ruleConditions>
      <imsss:ruleAction action="disabled"/>
    </imsss:preConditionRule>
    <imsss:exitConditionRule>
      <imsss:ruleConditions><imsss:ruleCondition condition="completed"/></imsss:ruleConditions>
      <imsss:ruleAction action="exit"/>
    </imsss:exitConditionRule>
    <imsss:postConditionRule>
      <imsss:ruleConditions><imsss:ruleCondition condition="attemptLimitExceeded"/></imsss:ruleConditions>
      <imsss:ruleAction action="exitAll"/>
    </imsss:postConditionRule>
  </imsss:sequencingRules>
  <imsss:limitConditions attemptLimit="3" attemptAbsoluteDurationLimit="PT1H30M"/>
  <imsss:rollupRules rollupObjectiveSatisfied="false" rollupProgressCompletion="true" objectiveMeasureWeight="0.5">
    <imsss:rollupRule childActivitySet="atLeastPercent" minimumPercent="0.75">
      <imsss:rollupConditions conditionCombination="all">
        <imsss:rollupCondition operator="not" condition="attempted"/>
      </imsss:rollupConditions>
      <imsss:rollupAction action="notSatisfied"/>
    </imsss:rollupRule>
  </imsss:rollupRules>
  <imsss:objectives>
    <imsss:primaryObjective objectiveID="main" satisfiedByMeasure="true">
      <imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure>
      <imsss:mapInfo targetObjectiveID="g.main" writeSatisfiedStatus="true" readNormalizedMeasure="false"/>
    </imsss:primaryObjective>
    <imsss:objective objectiveID="prev">
      <imsss:mapInfo targetObjectiveID="g.prev"/>
    </imsss:objective>
  </imsss:objectives>
  <imsss:randomizationControls randomizationTiming="onEachNewAttempt" selectCount="2" reorderChildren="true"
                               selectionTiming="once"/>
  <imsss:deliveryControls tracked="false" completionSetByContent="true" objectiveSetByContent="true"/>
  <adlseq:constrainedChoiceConsiderations preventActivation="true" constrainChoice="true"/>
  <adlseq:rollupConsiderations requiredForSatisfied="ifAttempted" requiredForNotSatisfied="ifNotSkipped"
                               requiredForCompleted="ifNotSuspended" measureSatisfactionIfActive="false"/>
  <adlseq:objectives>
    <adlseq:objective objectiveID="main">
      <adlseq:mapInfo targetObjectiveID="g.main" writeCompletionStatus="true" readRawScore="false"/>
    </adlseq:objective>
  </adlseq:objectives>
</imsss:sequencing>"""


def item_sequencing(sequencing: str, extra: str = "") -> tuple[Sequencing, object]:
    items = f'<item identifier="i1" identifierref="r1"><title>T</title>{sequencing}</item>'
    parsed = parse_manifest(manifest_2004(items=items, extra=extra), files=FILES)
    return parsed.organization.items[0].sequencing, parsed


def test_every_sequencing_element_is_modelled():
    seq, parsed = item_sequencing(FULL)
    assert parsed.findings == [] and parsed.has_sequencing
    mode = seq.control_mode
    assert (mode.choice, mode.choice_exit, mode.flow, mode.forward_only, mode.use_current_attempt_objective_info,
            mode.use_current_attempt_progress_info) == (False, False, True, True, False, False)
    [pre] = seq.precondition_rules
    assert (pre.action, pre.condition_combination) == ("disabled", "any")
    assert [(c.condition, c.operator, c.referenced_objective, c.measure_threshold) for c in pre.conditions] == [
        ("satisfied", "not", "prev", None), ("objectiveMeasureGreaterThan", "noOp", None, 0.5)]
    assert [r.action for r in seq.exit_condition_rules] == ["exit"]
    assert [r.action for r in seq.postcondition_rules] == ["exitAll"]
    assert (seq.limit_conditions.attempt_limit, seq.limit_conditions.attempt_absolute_duration_limit) == \
        (3, "PT1H30M")
    assert (seq.rollup_objective_satisfied, seq.rollup_progress_completion, seq.objective_measure_weight) == \
        (False, True, 0.5)
    [rollup] = seq.rollup_rules
    assert (rollup.action, rollup.child_activity_set, rollup.minimum_percent, rollup.condition_combination) == \
        ("notSatisfied", "atLeastPercent", 0.75, "all")
    assert [(c.condition, c.operator) for c in rollup.conditions] == [("attempted", "not")]
    primary = seq.primary_objective
    assert (primary.objective_id, primary.satisfied_by_measure, primary.min_normalized_measure) == ("main", True, 0.8)
    [main_map] = primary.map_info
    assert (main_map.target_objective_id, main_map.read_satisfied_status, main_map.read_normalized_measure,
            main_map.write_satisfied_status, main_map.write_normalized_measure) == ("g.main", True, False, True, False)
    [adl_map] = primary.adl_map_info
    assert (adl_map.write_completion_status, adl_map.read_raw_score, adl_map.read_completion_status) == \
        (True, False, True)
    assert [o.objective_id for o in seq.objectives] == ["main", "prev"]
    random = seq.randomization_controls
    assert (random.randomization_timing, random.select_count, random.reorder_children, random.selection_timing) == \
        ("onEachNewAttempt", 2, True, "once")
    delivery = seq.delivery_controls
    assert (delivery.tracked, delivery.completion_set_by_content, delivery.objective_set_by_content) == \
        (False, True, True)
    assert (seq.constrained_choice_considerations.prevent_activation,
            seq.constrained_choice_considerations.constrain_choice) == (True, True)
    considerations = seq.rollup_considerations
    assert (considerations.required_for_satisfied, considerations.required_for_not_satisfied,
            considerations.required_for_completed, considerations.required_for_incomplete,
            considerations.measure_satisfaction_if_active) == ("ifAttempted", "ifNotSkipped", "ifNotSuspended",
                                                               "always", False)


def test_defaults_apply_when_elements_are_absent():
    seq, _ = item_sequencing("<imsss:sequencing/>")
    assert seq == Sequencing()
    assert (seq.control_mode.choice, seq.control_mode.flow, seq.delivery_controls.tracked) == (True, False, True)


COLLECTION = """
<imsss:sequencingCollection>
  <imsss:sequencing ID="common">
    <imsss:controlMode flow="true" choice="false"/>
    <imsss:rollupRules objectiveMeasureWeight="0"/>
    <imsss:deliveryControls completionSetByContent="true"/>
  </imsss:sequencing>
</imsss:sequencingCollection>"""


def test_collection_references_are_merged_element_by_element():
    local = ('<imsss:sequencing IDRef="common"><imsss:controlMode flow="false"/>'
             '<imsss:objectives><imsss:primaryObjective objectiveID="p"/></imsss:objectives></imsss:sequencing>')
    seq, parsed = item_sequencing(local, extra=COLLECTION)
    assert seq.id_ref == "common"
    assert (seq.control_mode.flow, seq.control_mode.choice) == (False, True)  # local controlMode wins whole
    assert seq.objective_measure_weight == 0.0 and seq.delivery_controls.completion_set_by_content is True
    assert seq.primary_objective.objective_id == "p"
    assert set(seq.declared) == {"controlMode", "rollupRules", "objectives", "deliveryControls"}
    assert parsed.sequencing_collection["common"].control_mode.flow is True  # the entry itself is untouched


def test_a_reference_to_nothing_is_an_error():
    with pytest.raises(PackageError) as caught:
        item_sequencing('<imsss:sequencing IDRef="uncommon"/>', extra=COLLECTION)
    assert caught.value.codes == ["sequencing.idref_missing"]


@pytest.mark.parametrize("fragment", [
    '<imsss:controlMode choice="maybe"/>',
    '<imsss:limitConditions attemptLimit="-1"/>',
    '<imsss:limitConditions attemptAbsoluteDurationLimit="1 hour"/>',
    '<imsss:rollupRules objectiveMeasureWeight="NaN"/>',
    '<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="sunny"/>'
    '</imsss:ruleConditions><imsss:ruleAction action="skip"/></imsss:preConditionRule></imsss:sequencingRules>',
    '<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions><imsss:ruleCondition '
    'condition="always"/></imsss:ruleConditions><imsss:ruleAction action="explode"/></imsss:preConditionRule>'
    '</imsss:sequencingRules>',
    '<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleAction action="skip"/></imsss:preConditionRule>'
    '</imsss:sequencingRules>',
    '<imsss:rollupRules><imsss:rollupRule><imsss:rollupAction action="win"/></imsss:rollupRule></imsss:rollupRules>',
    '<imsss:objectives><imsss:primaryObjective><imsss:minNormalizedMeasure>2</imsss:minNormalizedMeasure>'
    '</imsss:primaryObjective></imsss:objectives>',
    '<imsss:objectives><imsss:primaryObjective objectiveID="a"/></imsss:objectives><adlseq:objectives>'
    '<adlseq:objective objectiveID="b"><adlseq:mapInfo targetObjectiveID="g"/></adlseq:objective>'
    '</adlseq:objectives>',
])
def test_unusable_values_are_warnings_and_fall_back_to_defaults(fragment):
    seq, parsed = item_sequencing(f"<imsss:sequencing>{fragment}</imsss:sequencing>")
    assert [f.severity for f in parsed.findings] == ["warning"]
    assert parsed.findings[0].code.startswith("sequencing.")
    assert seq.precondition_rules == [] and seq.rollup_rules == []
    assert seq.control_mode.choice is True and seq.limit_conditions.attempt_limit is None
    assert seq.objective_measure_weight == 1.0
    assert all(o.min_normalized_measure == 1.0 and not o.adl_map_info for o in seq.objectives)


def test_organization_sequencing_and_global_objective_flags():
    parsed = parse_manifest(manifest_2004(org_attrs='adlseq:objectivesGlobalToSystem="false" '
                                                    'adlcp:sharedDataGlobalToSystem="false"',
                                          org_extra='<imsss:sequencing><imsss:controlMode flow="true"/>'
                                                    '</imsss:sequencing>'), files=FILES)
    org = parsed.organization
    assert org.sequencing.control_mode.flow is True
    assert (org.objectives_global_to_system, org.shared_data_global_to_system) == (False, False)
