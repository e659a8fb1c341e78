"""Reading <imsss:sequencing> elements (and their adlseq extensions) into the Sequencing model."""
from __future__ import annotations

from . import sequencing as ss
from .reading import ADLSEQ, IMSSS, Reader

CODE = "sequencing.invalid_value"


def parse_sequencing(reader: Reader, el) -> ss.Sequencing:
    seq = ss.Sequencing(id=reader.attr(el, "ID"), id_ref=reader.attr(el, "IDRef"))
    declared = []

    control = reader.child(el, IMSSS, "controlMode")
    if control is not None:
        declared.append("controlMode")
        b = lambda name, default: reader.boolean(control, name, default, code=CODE)  # noqa: E731
        seq.control_mode = ss.ControlMode(
            choice=b("choice", True), choice_exit=b("choiceExit", True), flow=b("flow", False),
            forward_only=b("forwardOnly", False),
            use_current_attempt_objective_info=b("useCurrentAttemptObjectiveInfo", True),
            use_current_attempt_progress_info=b("useCurrentAttemptProgressInfo", True))

    rules = reader.child(el, IMSSS, "sequencingRules")
    if rules is not None:
        declared.append("sequencingRules")
        seq.precondition_rules = _rules(reader, rules, "preConditionRule", ss.PRECONDITION_ACTIONS)
        seq.exit_condition_rules = _rules(reader, rules, "exitConditionRule", ss.EXIT_ACTIONS)
        seq.postcondition_rules = _rules(reader, rules, "postConditionRule", ss.POSTCONDITION_ACTIONS)

    limits = reader.child(el, IMSSS, "limitConditions")
    if limits is not None:
        declared.append("limitConditions")
        seq.limit_conditions = ss.LimitConditions(
            attempt_limit=reader.integer(reader.attr(limits, "attemptLimit"), "attemptLimit", limits, None,
                                         code=CODE),
            attempt_absolute_duration_limit=reader.duration(
                reader.attr(limits, "attemptAbsoluteDurationLimit"), "attemptAbsoluteDurationLimit", limits,
                code=CODE))

    rollup = reader.child(el, IMSSS, "rollupRules")
    if rollup is not None:
        declared.append("rollupRules")
        seq.rollup_objective_satisfied = reader.boolean(rollup, "rollupObjectiveSatisfied", True, code=CODE)
        seq.rollup_progress_completion = reader.boolean(rollup, "rollupProgressCompletion", True, code=CODE)
        seq.objective_measure_weight = reader.decimal(reader.attr(rollup, "objectiveMeasureWeight"),
                                                      "objectiveMeasureWeight", rollup, 1.0, 0.0, 1.0, CODE)
        seq.rollup_rules = [r for r in (_rollup_rule(reader, r) for r in reader.children(rollup, IMSSS,
                                                                                           "rollupRule")) if r]

    objectives = reader.child(el, IMSSS, "objectives")
    if objectives is not None:
        declared.append("objectives")
        seq.objectives = _objectives(reader, objectives)
    adl_objectives = reader.child(el, ADLSEQ, "objectives")
    if adl_objectives is not None:
        _attach_adl_objectives(reader, adl_objectives, seq.objectives)

    randomization = reader.child(el, IMSSS, "randomizationControls")
    if randomization is not None:
        declared.append("randomizationControls")
        seq.randomization_controls = ss.RandomizationControls(
            randomization_timing=_token(reader, randomization, "randomizationTiming", ss.TIMINGS, "never"),
            select_count=reader.integer(reader.attr(randomization, "selectCount"), "selectCount", randomization,
                                        None, code=CODE),
            reorder_children=reader.boolean(randomization, "reorderChildren", False, code=CODE),
            selection_timing=_token(reader, randomization, "selectionTiming", ss.TIMINGS, "never"))

    delivery = reader.child(el, IMSSS, "deliveryControls")
    if delivery is not None:
        declared.append("deliveryControls")
        seq.delivery_controls = ss.DeliveryControls(
            tracked=reader.boolean(delivery, "tracked", True, code=CODE),
            completion_set_by_content=reader.boolean(delivery, "completionSetByContent", False, code=CODE),
            objective_set_by_content=reader.boolean(delivery, "objectiveSetByContent", False, code=CODE))

    considerations = reader.child(el, ADLSEQ, "rollupConsiderations")
    if considerations is not None:
        declared.append("rollupConsiderations")
        required = lambda name: _token(reader, considerations, name, ss.REQUIRED_FOR, "always")  # noqa: E731
        seq.rollup_considerations = ss.RollupConsiderations(
            required_for_satisfied=required("requiredForSatisfied"),
            required_for_not_satisfied=required("requiredForNotSatisfied"),
            required_for_completed=required("requiredForCompleted"),
            required_for_incomplete=required("requiredForIncomplete"),
            measure_satisfaction_if_active=reader.boolean(considerations, "measureSatisfactionIfActive", True,
                                                          code=CODE))

    constrained = reader.child(el, ADLSEQ, "constrainedChoiceConsiderations")
    if constrained is not None:
        declared.append("constrainedChoiceConsiderations")
        seq.constrained_choice_considerations = ss.ConstrainedChoiceConsiderations(
            prevent_activation=reader.boolean(constrained, "preventActivation", False, code=CODE),
            constrain_choice=reader.boolean(constrained, "constrainChoice", False, code=CODE))

    seq.declared = declared
    return seq


def _token(reader: Reader, el, name: str, allowed: tuple[str, ...], default: str | None) -> str | None:
    return reader.token(reader.attr(el, name), name, el, allowed, default, code=CODE)


def _required(reader: Reader, rule_el, child: str, name: str, allowed: tuple[str, ...], rule: str) -> str | None:
    """The vocabulary value of a rule's one required child, or None after a single warning."""
    child_el = reader.child(rule_el, IMSSS, child)
    raw = reader.attr(child_el, name) if child_el is not None else None
    value = reader.match_token(raw, allowed)
    if value is None:
        reader.warn(CODE, f"{rule} ignored: its {child} {name}={raw!r} is not one of {', '.join(allowed)}", rule_el)
    return value


def _rules(reader: Reader, rules_el, local: str, actions: tuple[str, ...]) -> list[ss.SequencingRule]:
    rules = (_sequencing_rule(reader, el, local, actions) for el in reader.children(rules_el, IMSSS, local))
    return [rule for rule in rules if rule is not None]


def _sequencing_rule(reader: Reader, rule_el, local: str, actions: tuple[str, ...]) -> ss.SequencingRule | None:
    # A rule the player cannot execute as written is dropped rather than guessed at.
    action = _required(reader, rule_el, "ruleAction", "action", actions, local)
    if action is None:
        return None
    conditions_el = reader.child(rule_el, IMSSS, "ruleConditions")
    if conditions_el is None or next(reader.children(conditions_el, IMSSS, "ruleCondition"), None) is None:
        reader.warn(CODE, f"{local} without ruleConditions is ignored", rule_el)
        return None
    rule = ss.SequencingRule(action=action, condition_combination=_token(
        reader, conditions_el, "conditionCombination", ss.COMBINATIONS, "all"))
    for cond_el in reader.children(conditions_el, IMSSS, "ruleCondition"):
        condition = reader.match_token(reader.attr(cond_el, "condition"), ss.RULE_CONDITIONS)
        if condition is None:
            reader.warn(CODE, f"{local} ignored: condition={reader.attr(cond_el, 'condition')!r} is not one of "
                        f"{', '.join(ss.RULE_CONDITIONS)}", cond_el)
            return None
        rule.conditions.append(ss.RuleCondition(
            condition=condition,
            operator=_token(reader, cond_el, "operator", ss.OPERATORS, "noOp"),
            referenced_objective=reader.attr(cond_el, "referencedObjective"),
            measure_threshold=reader.decimal(reader.attr(cond_el, "measureThreshold"), "measureThreshold",
                                             cond_el, None, -1.0, 1.0, CODE)))
    return rule


def _rollup_rule(reader: Reader, rule_el) -> ss.RollupRule | None:
    action = _required(reader, rule_el, "rollupAction", "action", ss.ROLLUP_ACTIONS, "rollupRule")
    if action is None:
        return None
    rule = ss.RollupRule(
        action=action,
        child_activity_set=_token(reader, rule_el, "childActivitySet", ss.CHILD_ACTIVITY_SETS, "all"),
        minimum_count=reader.integer(reader.attr(rule_el, "minimumCount"), "minimumCount", rule_el, 0, code=CODE),
        minimum_percent=reader.decimal(reader.attr(rule_el, "minimumPercent"), "minimumPercent", rule_el, 0.0,
                                       0.0, 1.0, CODE))
    conditions_el = reader.child(rule_el, IMSSS, "rollupConditions")
    if conditions_el is not None:
        rule.condition_combination = _token(reader, conditions_el, "conditionCombination", ss.COMBINATIONS, "any")
        for cond_el in reader.children(conditions_el, IMSSS, "rollupCondition"):
            condition = reader.match_token(reader.attr(cond_el, "condition"), ss.ROLLUP_CONDITIONS)
            if condition is None:
                reader.warn(CODE, f"rollupRule ignored: condition={reader.attr(cond_el, 'condition')!r} is not one "
                            f"of {', '.join(ss.ROLLUP_CONDITIONS)}", cond_el)
                return None
            rule.conditions.append(ss.RollupCondition(
                condition=condition, operator=_token(reader, cond_el, "operator", ss.OPERATORS, "noOp")))
    return rule


def _objectives(reader: Reader, objectives_el) -> list[ss.Objective]:
    parsed = []
    for local, primary in (("primaryObjective", True), ("objective", False)):
        for obj_el in reader.children(objectives_el, IMSSS, local):
            objective_id = reader.attr(obj_el, "objectiveID")
            if not primary and not objective_id:
                reader.warn(CODE, "an objective other than the primary one needs an objectiveID; ignored", obj_el)
                continue
            measure_el = reader.child(obj_el, IMSSS, "minNormalizedMeasure")
            objective = ss.Objective(
                objective_id=objective_id, primary=primary,
                satisfied_by_measure=reader.boolean(obj_el, "satisfiedByMeasure", False, code=CODE),
                min_normalized_measure=reader.decimal(reader.text(measure_el) if measure_el is not None else None,
                                                      "minNormalizedMeasure", measure_el, 1.0, -1.0, 1.0, CODE))
            for map_el in reader.children(obj_el, IMSSS, "mapInfo"):
                target = reader.attr(map_el, "targetObjectiveID")
                if not target:
                    reader.warn(CODE, "mapInfo without targetObjectiveID is ignored", map_el)
                    continue
                b = lambda name, default: reader.boolean(map_el, name, default, code=CODE)  # noqa: E731
                objective.map_info.append(ss.MapInfo(
                    target_objective_id=target,
                    read_satisfied_status=b("readSatisfiedStatus", True),
                    read_normalized_measure=b("readNormalizedMeasure", True),
                    write_satisfied_status=b("writeSatisfiedStatus", False),
                    write_normalized_measure=b("writeNormalizedMeasure", False)))
            parsed.append(objective)
    if sum(1 for o in parsed if o.primary) > 1:
        reader.warn(CODE, "more than one primaryObjective; the first one is used", objectives_el)
        first = next(o for o in parsed if o.primary)
        parsed = [o for o in parsed if not o.primary or o is first]
    return parsed


def _attach_adl_objectives(reader: Reader, adl_el, objectives: list[ss.Objective]) -> None:
    by_id = {o.objective_id: o for o in objectives if o.objective_id}
    for obj_el in reader.children(adl_el, ADLSEQ, "objective"):
        objective_id = reader.attr(obj_el, "objectiveID")
        objective = by_id.get(objective_id)
        if objective is None:
            reader.warn("sequencing.unknown_objective", f"adlseq:objective {objective_id!r} matches no "
                        "imsss objective of the same activity; ignored", obj_el)
            continue
        for map_el in reader.children(obj_el, ADLSEQ, "mapInfo"):
            target = reader.attr(map_el, "targetObjectiveID")
            if not target:
                reader.warn(CODE, "adlseq:mapInfo without targetObjectiveID is ignored", map_el)
                continue
            b = lambda name, default: reader.boolean(map_el, name, default, code=CODE)  # noqa: E731
            objective.adl_map_info.append(ss.AdlMapInfo(
                target_objective_id=target,
                read_raw_score=b("readRawScore", True), read_min_score=b("readMinScore", True),
                read_max_score=b("readMaxScore", True), read_completion_status=b("readCompletionStatus", True),
                read_progress_measure=b("readProgressMeasure", True),
                write_raw_score=b("writeRawScore", False), write_min_score=b("writeMinScore", False),
                write_max_score=b("writeMaxScore", False),
                write_completion_status=b("writeCompletionStatus", False),
                write_progress_measure=b("writeProgressMeasure", False)))
