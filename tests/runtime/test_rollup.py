"""SCORM 2004 rollup (SN book 4.6): default rules, each rule kind, weights, considerations, real golf packages."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from scormproxy.db import Database
from scormproxy.models import Attempt, OutboxRow, Package, PackageVersion
from scormproxy.packages import inspect_package, parse_manifest
from scormproxy.runtime.attempts import CommitPayload, apply_commit
from scormproxy.runtime.course import course_from_manifest
from scormproxy.runtime.limits import RuntimeLimits
from scormproxy.runtime.results import ScoOutcome, course_result
from scormproxy.runtime.rollup import rollup_course

from tests.packages.manifests import manifest, manifest_2004

PASSED = ScoOutcome(completed=True, passed=True, failed=False, score=None)
FAILED = ScoOutcome(completed=False, passed=False, failed=True, score=None)
DONE = ScoOutcome(completed=True, passed=None, failed=False, score=None)      # completed, no verdict
OPEN = ScoOutcome(completed=False, passed=None, failed=False, score=None)      # launched, nothing yet


def scored(score: float, passed: bool | None = None) -> ScoOutcome:
    return ScoOutcome(completed=passed is not False, passed=passed, failed=passed is False, score=score)


# -- building small courses from manifest literals ------------------------------------------------

def sco(identifier: str, sequencing: str = "") -> str:
    return (f'<item identifier="{identifier}" identifierref="r-{identifier}"><title>{identifier}</title>'
            f'{sequencing}</item>')


def cluster(identifier: str, *children: str, sequencing: str = "") -> str:
    return f'<item identifier="{identifier}"><title>{identifier}</title>{"".join(children)}{sequencing}</item>'


def seq(*elements: str) -> str:
    return f"<imsss:sequencing>{''.join(elements)}</imsss:sequencing>"


def rollup_rules(*rules: str, attrs: str = "") -> str:
    return f"<imsss:rollupRules {attrs}>{''.join(rules)}</imsss:rollupRules>"


def rule(action: str, *conditions: str, child_set: str = "all", combination: str = "any", attrs: str = "") -> str:
    conds = "".join(f'<imsss:rollupCondition {c}/>' for c in conditions)
    return (f'<imsss:rollupRule childActivitySet="{child_set}" {attrs}>'
            f'<imsss:rollupConditions conditionCombination="{combination}">{conds}</imsss:rollupConditions>'
            f'<imsss:rollupAction action="{action}"/></imsss:rollupRule>')


def considerations(**required: str) -> str:
    attrs = " ".join(f'{name}="{value}"' for name, value in required.items())
    return f"<adlseq:rollupConsiderations {attrs}/>"


def build(items: str, org_sequencing: str = seq('<imsss:controlMode flow="true"/>'), *, version="2004 4th Edition"):
    ids = re.findall(r'identifierref="r-([^"]+)"', items)
    resources = "".join(f'<resource identifier="r-{i}" type="webcontent" adlcp:scormType="sco" href="{i}.html">'
                        f'<file href="{i}.html"/></resource>' for i in ids)
    files = {"imsmanifest.xml"} | {f"{i}.html" for i in ids}
    make = manifest if version == "1.2" else manifest_2004
    parsed = parse_manifest(make(items, resources, version=version, org_extra=org_sequencing), files=files)
    return course_from_manifest(parsed.to_dict())


def status(result: dict | None) -> tuple:
    return (result["completed"], result["satisfied"], result["score"]) if result else None


TWO = sco("a") + sco("b")
THREE = sco("a") + sco("b") + sco("c")


# -- when the rollup has nothing to say ----------------------------------------------------------

def test_no_sequencing_leaves_the_rule_without_sequencing():
    assert rollup_course(build(TWO, org_sequencing=""), {"a": PASSED, "b": PASSED}) is None


def test_scorm12_has_no_rollup():
    course = build('<item identifier="a" identifierref="r-a"><title>a</title></item>', "", version="1.2")
    assert rollup_course(course, {"a": PASSED}) is None


def test_sequencing_on_one_item_is_enough():
    course = build(sco("a", seq(rollup_rules(attrs='objectiveMeasureWeight="0.5"'))) + sco("b"), org_sequencing="")
    assert status(rollup_course(course, {"a": PASSED, "b": PASSED})) == (True, True, None)


# -- default rules (SN 4.6.5, 4.6.6): satisfied/completed when all are; not when all are known --------

DEFAULTS = [
    ({}, (False, None, None)),
    ({"a": PASSED, "b": PASSED}, (True, True, None)),
    ({"a": PASSED}, (False, None, None)),                   # b unknown: neither rule of a pair applies
    ({"a": PASSED, "b": FAILED}, (False, False, None)),     # all known, not all satisfied
    ({"a": FAILED, "b": OPEN}, (False, None, None)),        # b's objective unknown: no verdict yet
    ({"a": DONE, "b": DONE}, (True, None, None)),           # completed without success: satisfied unknown
    ({"a": DONE, "b": OPEN}, (False, None, None)),          # launched SCO counts as in progress
]


@pytest.mark.parametrize(("outcomes", "expected"), DEFAULTS)
def test_default_rules(outcomes, expected):
    assert status(rollup_course(build(TWO), outcomes)) == expected


def test_defaults_apply_per_pair():
    # A satisfied rule replaces both default objective rules, not the completion defaults.
    course = build(TWO, seq(rollup_rules(rule("satisfied", 'condition="satisfied"', child_set="any"))))
    assert status(rollup_course(course, {"a": PASSED, "b": FAILED})) == (False, True, None)
    assert status(rollup_course(course, {"a": FAILED, "b": FAILED})) == (False, None, None)  # no not-satisfied rule
    assert status(rollup_course(course, {"a": PASSED, "b": PASSED})) == (True, True, None)


# -- measure rollup (SN 4.6.3): weighted mean over tracked children, weight 0 left out ---------------

def weight(value: str) -> str:
    return seq(rollup_rules(attrs=f'objectiveMeasureWeight="{value}"'))


MEASURES = [
    pytest.param(sco("a") + sco("b"), {"a": scored(80), "b": scored(60)}, 70.0, id="default-weights"),
    pytest.param(sco("a", weight("0.25")) + sco("b", weight("0.75")), {"a": scored(100), "b": scored(60)}, 70.0,
                 id="weighted"),
    pytest.param(sco("a", weight("0.25")) + sco("b", weight("0.75")), {"a": scored(100)}, 25.0,
                 id="unknown-still-weighs"),
    pytest.param(sco("a", weight("0")) + sco("b"), {"a": scored(100)}, None, id="no-weighted-measure-known"),
    pytest.param(sco("a", weight("0")) + sco("b"), {"a": scored(100), "b": scored(40)}, 40.0, id="weight-0-left-out"),
    pytest.param(sco("a", weight("0")) + sco("b", weight("0")), {"a": scored(100), "b": scored(40)}, None,
                 id="all-weights-0"),
    pytest.param(sco("a", seq('<imsss:deliveryControls tracked="false"/>')) + sco("b"),
                 {"a": scored(0), "b": scored(90)}, 90.0, id="untracked-left-out"),
    pytest.param(cluster("m", sco("a"), sco("b"), sequencing=weight("0.5")) + sco("c", weight("0.5")),
                 {"a": scored(100), "b": scored(50), "c": scored(25)}, 50.0, id="nested"),  # (75 + 25) / 2
]


@pytest.mark.parametrize(("items", "outcomes", "score"), MEASURES)
def test_measure_rollup(items, outcomes, score):
    rolled = rollup_course(build(items), outcomes)["score"]
    assert rolled is None if score is None else rolled == pytest.approx(score)


def by_measure(minimum: str) -> str:
    return seq(f'<imsss:objectives><imsss:primaryObjective objectiveID="course" satisfiedByMeasure="true">'
               f'<imsss:minNormalizedMeasure>{minimum}</imsss:minNormalizedMeasure></imsss:primaryObjective>'
               f'</imsss:objectives>')


@pytest.mark.parametrize(("minimum", "outcomes", "satisfied"), [
    ("0.6", {"a": scored(80, True), "b": scored(50, False)}, True),    # 65 >= 60: the measure decides, not b
    ("0.7", {"a": scored(80, True), "b": scored(50, False)}, False),
    ("0.6", {"a": PASSED, "b": PASSED}, None),                         # no measure: unknown
])
def test_satisfied_by_measure_at_the_root(minimum, outcomes, satisfied):
    assert rollup_course(build(TWO, by_measure(minimum)), outcomes)["satisfied"] is satisfied


def test_satisfied_by_measure_at_a_sco_overrides_its_success_status():
    course = build(sco("a", by_measure("0.8")) + sco("b"))
    assert rollup_course(course, {"a": scored(70, True), "b": PASSED})["satisfied"] is False
    assert rollup_course(course, {"a": scored(85, None), "b": PASSED})["satisfied"] is True


# -- rollup rules (SN 4.6.2): child activity sets, conditions, "not", combinations, actions ----------

def satisfied_when(*conditions: str, child_set: str = "all", combination: str = "any", attrs: str = "") -> str:
    return seq(rollup_rules(rule("satisfied", *conditions, child_set=child_set, combination=combination,
                                 attrs=attrs)))


CHILD_SETS = [
    ("all", "", {"a": PASSED, "b": PASSED, "c": PASSED}, True),
    ("all", "", {"a": PASSED, "b": PASSED}, None),                      # c unknown is not True
    ("any", "", {"a": PASSED}, True),
    ("any", "", {"a": FAILED, "b": OPEN}, None),
    ("none", "", {"a": FAILED, "b": FAILED, "c": FAILED}, True),
    ("none", "", {"a": FAILED, "b": FAILED}, None),                     # c unknown: not "none"
    ("atLeastCount", 'minimumCount="2"', {"a": PASSED, "b": PASSED}, True),
    ("atLeastCount", 'minimumCount="2"', {"a": PASSED, "b": FAILED}, None),
    ("atLeastPercent", 'minimumPercent="0.6"', {"a": PASSED, "b": PASSED, "c": FAILED}, True),  # 2/3
    ("atLeastPercent", 'minimumPercent="0.7"', {"a": PASSED, "b": PASSED, "c": FAILED}, None),
]


@pytest.mark.parametrize(("child_set", "attrs", "outcomes", "satisfied"), CHILD_SETS)
def test_child_activity_sets(child_set, attrs, outcomes, satisfied):
    course = build(THREE, satisfied_when('condition="satisfied"', child_set=child_set, attrs=attrs))
    assert rollup_course(course, outcomes)["satisfied"] is satisfied


def test_at_least_percent_is_exact():
    course = build("".join(sco(f"s{i}") for i in range(10)),
                   satisfied_when('condition="satisfied"', child_set="atLeastPercent", attrs='minimumPercent="0.3"'))
    three = {f"s{i}": PASSED if i < 3 else FAILED for i in range(10)}
    assert rollup_course(course, three)["satisfied"] is True    # 3/10 >= 0.3 (not 3 < 3.0000000000000004)


def limited(attempts: int) -> str:
    return seq(f'<imsss:limitConditions attemptLimit="{attempts}"/>')


CONDITIONS = [
    ('condition="satisfied"', {"a": PASSED, "b": PASSED}, True),
    ('condition="satisfied" operator="not"', {"a": FAILED, "b": FAILED}, True),
    ('condition="satisfied" operator="not"', {"a": FAILED}, None),            # not(unknown) stays unknown
    ('condition="objectiveStatusKnown"', {"a": FAILED, "b": PASSED}, True),
    ('condition="objectiveStatusKnown"', {"a": FAILED, "b": DONE}, None),
    ('condition="objectiveMeasureKnown"', {"a": scored(10), "b": scored(0)}, True),
    ('condition="objectiveMeasureKnown"', {"a": scored(10), "b": DONE}, None),
    ('condition="completed"', {"a": DONE, "b": PASSED}, True),
    ('condition="completed" operator="not"', {"a": OPEN, "b": FAILED}, True),
    ('condition="activityProgressKnown"', {"a": OPEN, "b": DONE}, True),
    ('condition="activityProgressKnown"', {"a": OPEN}, None),
    ('condition="attempted"', {"a": OPEN, "b": OPEN}, True),
    ('condition="attempted" operator="not"', {}, True),
    ('condition="timeLimitExceeded" operator="not"', {"a": PASSED, "b": PASSED}, None),       # not tracked here
    ('condition="outsideAvailableTimeRange" operator="not"', {"a": PASSED, "b": PASSED}, None),
]


@pytest.mark.parametrize(("condition", "outcomes", "satisfied"), CONDITIONS)
def test_rollup_conditions(condition, outcomes, satisfied):
    course = build(TWO, satisfied_when(condition))
    assert rollup_course(course, outcomes)["satisfied"] is satisfied


@pytest.mark.parametrize(("limit", "outcomes", "satisfied"), [
    (1, {"a": OPEN, "b": OPEN}, True),         # one attempt of one allowed
    (1, {"a": OPEN}, None),                    # b not attempted: not exceeded
    (3, {"a": OPEN, "b": OPEN}, None),         # the attempt count beyond one is not known here
])
def test_attempt_limit_exceeded(limit, outcomes, satisfied):
    course = build(sco("a", limited(limit)) + sco("b", limited(limit)),
                   satisfied_when('condition="attemptLimitExceeded"'))
    assert rollup_course(course, outcomes)["satisfied"] is satisfied


@pytest.mark.parametrize(("combination", "outcomes", "satisfied"), [
    ("all", {"a": PASSED, "b": scored(70, True)}, None),      # a has no measure
    ("all", {"a": scored(90, True), "b": scored(70, True)}, True),
    ("any", {"a": PASSED, "b": scored(70)}, True),            # b: measure known, objective not
    ("any", {"a": PASSED, "b": OPEN}, None),
])
def test_condition_combination(combination, outcomes, satisfied):
    course = build(TWO, satisfied_when('condition="satisfied"', 'condition="objectiveMeasureKnown"',
                                       combination=combination))
    assert rollup_course(course, outcomes)["satisfied"] is satisfied


def test_each_action_and_the_positive_one_wins():
    rules = rollup_rules(rule("notSatisfied", 'condition="attempted"', child_set="any"),
                         rule("satisfied", 'condition="satisfied"', child_set="any"),
                         rule("incomplete", 'condition="attempted"', child_set="any"),
                         rule("completed", 'condition="completed"', child_set="atLeastCount",
                              attrs='minimumCount="2"'))
    course = build(THREE, seq(rules))
    assert status(rollup_course(course, {"a": FAILED})) == (False, False, None)
    assert status(rollup_course(course, {"a": FAILED, "b": PASSED})) == (False, True, None)
    assert status(rollup_course(course, {"a": DONE, "b": PASSED})) == (True, True, None)


def test_nested_clusters_roll_up_level_by_level():
    # The module is satisfied when any of its SCOs is; the course needs the module and c.
    module = cluster("m", sco("a"), sco("b"), sequencing=satisfied_when('condition="satisfied"', child_set="any"))
    course = build(module + sco("c"))
    assert status(rollup_course(course, {"a": PASSED, "c": PASSED})) == (False, True, None)
    assert status(rollup_course(course, {"a": PASSED, "b": PASSED, "c": PASSED})) == (True, True, None)
    assert rollup_course(course, {"a": PASSED})["satisfied"] is None


# -- rollup controls (SN 3.8) and tracking (SN 3.13.1) -------------------------------------------

def test_children_left_out_of_satisfaction_and_completion():
    quiet = seq(rollup_rules(attrs='rollupObjectiveSatisfied="false"'))
    course = build(sco("a", quiet) + sco("b"))
    assert status(rollup_course(course, {"a": FAILED, "b": PASSED})) == (False, True, None)
    unfinished = seq(rollup_rules(attrs='rollupProgressCompletion="false"'))
    course = build(sco("a", unfinished) + sco("b"))
    assert status(rollup_course(course, {"a": OPEN, "b": DONE})) == (True, None, None)


def test_untracked_child_is_left_out():
    course = build(sco("a", seq('<imsss:deliveryControls tracked="false"/>')) + sco("b"))
    assert status(rollup_course(course, {"b": PASSED})) == (True, True, None)


# -- rollup considerations (SN 3.9, RB.1.4.2) ------------------------------------------------------

def consider(**required: str) -> str:
    return seq(considerations(**required))


CONSIDERATIONS = [
    # b may stay out of "satisfied" until attempted
    (consider(requiredForSatisfied="ifAttempted"), {"a": PASSED}, {}, (False, True)),
    (consider(requiredForSatisfied="ifAttempted"), {"a": PASSED, "b": OPEN}, {}, (False, None)),
    # b out of "not satisfied": a failure alone does not decide while b is unattempted
    (consider(requiredForNotSatisfied="ifAttempted"), {"a": FAILED}, {}, (False, False)),
    (consider(requiredForNotSatisfied="always"), {"a": FAILED}, {}, (False, None)),
    # ifNotSuspended: attempted and not suspended
    (consider(requiredForSatisfied="ifNotSuspended"), {"a": PASSED, "b": OPEN}, {"b"}, (False, True)),
    (consider(requiredForSatisfied="ifNotSuspended"), {"a": PASSED, "b": OPEN}, set(), (False, None)),
    (consider(requiredForSatisfied="ifNotSuspended"), {"a": PASSED}, set(), (False, True)),
    # b may stay out of "completed" until attempted
    (consider(requiredForCompleted="ifAttempted"), {"a": DONE}, {}, (True, None)),
    (consider(requiredForCompleted="ifAttempted"), {"a": DONE, "b": OPEN}, {}, (False, None)),
]


@pytest.mark.parametrize(("b_sequencing", "outcomes", "suspended", "expected"), CONSIDERATIONS)
def test_rollup_considerations(b_sequencing, outcomes, suspended, expected):
    course = build(sco("a") + sco("b", b_sequencing))
    result = rollup_course(course, outcomes, suspended=suspended)
    assert (result["completed"], result["satisfied"]) == expected


@pytest.mark.parametrize(("required", "known"), [("ifAttempted", True), ("always", False)])
def test_required_for_incomplete(required, known):
    # The root asks whether the module's completion is known; the module is "incomplete" (known)
    # from a alone only when b, never attempted, is left out of its "incomplete" rule.
    module = cluster("m", sco("a"), sco("b", consider(requiredForIncomplete=required)))
    course = build(module, seq(rollup_rules(rule("completed", 'condition="activityProgressKnown"'))))
    assert rollup_course(course, {"a": OPEN})["completed"] is known


def skip_when(condition: str) -> str:
    return seq('<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions>'
               f'<imsss:ruleCondition {condition}/></imsss:ruleConditions><imsss:ruleAction action="skip"/>'
               '</imsss:preConditionRule></imsss:sequencingRules>',
               considerations(requiredForSatisfied="ifNotSkipped", requiredForNotSatisfied="ifNotSkipped"))


@pytest.mark.parametrize(("condition", "outcomes", "satisfied"), [
    ('condition="objectiveMeasureGreaterThan" measureThreshold="0.5"', {"a": PASSED, "b": scored(90)}, True),
    ('condition="objectiveMeasureGreaterThan" measureThreshold="0.5"', {"a": PASSED, "b": scored(40)}, None),
    ('condition="objectiveMeasureLessThan" measureThreshold="0.5"', {"a": PASSED, "b": scored(40)}, True),
    ('condition="attempted" operator="not"', {"a": PASSED}, True),
    ('condition="satisfied" referencedObjective="elsewhere"', {"a": PASSED, "b": PASSED}, True),  # global: unknown
    ('condition="satisfied" referencedObjective="elsewhere"', {"a": PASSED, "b": FAILED}, False),
    ('condition="always"', {"a": PASSED, "b": FAILED}, True),
])
def test_if_not_skipped(condition, outcomes, satisfied):
    # b is skipped (and so left out) when its skip precondition rule applies.
    course = build(sco("a") + sco("b", skip_when(condition)))
    assert rollup_course(course, outcomes)["satisfied"] is satisfied


def test_only_scos_take_part():
    # An asset never reports to the server: it does not hold back the default "all completed".
    items = sco("a") + '<item identifier="pdf" identifierref="r-pdf"><title>Handout</title></item>'
    resources = ('<resource identifier="r-a" type="webcontent" adlcp:scormType="sco" href="a.html">'
                 '<file href="a.html"/></resource>'
                 '<resource identifier="r-pdf" type="webcontent" adlcp:scormType="asset" href="h.pdf">'
                 '<file href="h.pdf"/></resource>')
    parsed = parse_manifest(manifest_2004(items, resources, org_extra=seq('<imsss:controlMode flow="true"/>')),
                            files={"imsmanifest.xml", "a.html", "h.pdf"})
    course = course_from_manifest(parsed.to_dict())
    assert status(rollup_course(course, {"a": PASSED})) == (True, True, None)


# -- real packages: Rustici's golf sequencing examples -------------------------------------------

CONTENT = ["playing_item", "etuqiette_item", "handicapping_item", "havingfun_item"]
POST_TESTS = ["golf_SequencingPostTestRollup_SCORM20043rdEdition.zip",
              "golf_SequencingPostTestRollup4thEd_SCORM20044thEdition.zip"]


def golf(samples_dir, name: str):
    course = course_from_manifest(inspect_package(samples_dir / name).manifest.to_dict())
    assert course.sco_ids() == CONTENT + ["assessment_item"]
    return course


@pytest.mark.parametrize("name", POST_TESTS)
def test_post_test_rollup(samples_dir, name):
    # The content SCOs take their sequencing from the collection entry content_seq_rules:
    # rollupObjectiveSatisfied="false" rollupProgressCompletion="false" objectiveMeasureWeight="0",
    # so only the quiz (defaults: contributes, weight 1) feeds the organization's default rules
    # and its measure.
    course = golf(samples_dir, name)
    ids = course.sco_ids()
    # Passing the post test alone satisfies and completes the course, with the quiz's score.
    quiz_passed = {"assessment_item": scored(90, True)}
    assert status(rollup_course(course, quiz_passed)) == (True, True, 90.0)
    assert course_result(course.scorm_version, quiz_passed, ids, rollup_course(course, quiz_passed)).status \
        == "completed"
    # Every content SCO completed and passed, the post test failed: not satisfied, and the course fails.
    quiz_failed = {**{item: PASSED for item in CONTENT}, "assessment_item": scored(40, False)}
    assert status(rollup_course(course, quiz_failed)) == (False, False, 40.0)
    result = course_result(course.scorm_version, quiz_failed, ids, rollup_course(course, quiz_failed))
    assert (result.status, result.score) == ("failed", 40)
    # The content alone says nothing about the course (their scores do not count either).
    content_only = {item: scored(100, True) for item in CONTENT}
    assert status(rollup_course(course, content_only)) == (False, None, None)


def test_forced_sequential(samples_dir):
    # common_seq_rules: objectiveMeasureWeight="0" ("This course doesn't rollup a score"), every
    # SCO contributes to the default rules: the course needs all five satisfied / completed.
    course = golf(samples_dir, "golf_SequencingForcedSequential_SCORM20043rdEdition.zip")
    everything = {item: scored(90, True) for item in course.sco_ids()}
    assert status(rollup_course(course, everything)) == (True, True, None)
    # Passing the last SCO alone is not enough here, unlike the post-test course.
    assert status(rollup_course(course, {"assessment_item": scored(90, True)})) == (False, None, None)
    # All content passed, the quiz failed: every status known, not all satisfied.
    quiz_failed = {**{item: PASSED for item in CONTENT}, "assessment_item": scored(40, False)}
    assert status(rollup_course(course, quiz_failed)) == (False, False, None)


# -- wired into the commit path -------------------------------------------------------------------

POST_TEST_ONLY = (sco("lesson", seq(rollup_rules(attrs='rollupObjectiveSatisfied="false" '
                                                      'rollupProgressCompletion="false" objectiveMeasureWeight="0"')))
                  + sco("quiz"))


def test_commits_follow_the_rollup(database_url):
    """A commit passing the post test completes the course though the lesson was never opened:
    without the rollup, the rule for several SCOs would wait for every SCO."""
    course = build(POST_TEST_ONLY)
    db = Database(database_url)
    db.migrate()
    with db.session() as s:
        s.add(Package(learning_id=7, title="t", status="mirrored"))
        s.flush()
        s.add(PackageVersion(id="v1", learning_id=7, scorm_version="2004 4th Edition", zip_sha256="0" * 64,
                             manifest_json="{}"))
        s.flush()
        s.add(Attempt(id="att", user_id="u1", learning_id=7, version_id="v1"))
    try:
        payload = CommitPayload(seq=1, cmi={"cmi.completion_status": "completed", "cmi.success_status": "passed",
                                            "cmi.score.scaled": "0.85"}, terminated=True, nav_request=None,
                                beacon=False)
        result = apply_commit(db, "att", "quiz", course, payload, learner_id="u1", learner_name="U",
                              limits=RuntimeLimits())
        assert result["course"] == {"status": "completed", "score": 85}
        with db.session() as s:
            assert [(r.action, r.score) for r in s.scalars(select(OutboxRow).order_by(OutboxRow.id))] == [
                ("start", None), ("complete", 85)]
    finally:
        db.dispose()
