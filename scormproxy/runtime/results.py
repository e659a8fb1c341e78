"""The result rules of DESIGN.md "Result rules", written once: SCO outcome, course result, upstream action."""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Mapping, Sequence

from . import cmi12, cmi2004
from .cmi_common import to_decimal, version_key

# DESIGN.md: "First Initialize of an attempt: start" (the caller knows when that is).
START = "start"
COMPLETE = "complete"
FAIL = "fail"

IN_PROGRESS = "in progress"
COMPLETED = "completed"
FAILED = "failed"

_HUNDRED = Decimal(100)
# Scores are computed in Decimal; this guards round_half_up against a float caller's
# binary artefacts (99.49999999999999 for 0.995 * 100).
_ROUNDING_GUARD = Decimal("1e-9")


@dataclass(frozen=True)
class ScoOutcome:
    completed: bool
    passed: bool | None          # None: no pass/fail verdict
    failed: bool
    score: float | None          # 0..100, not rounded


@dataclass(frozen=True)
class CourseResult:
    status: str                  # IN_PROGRESS | COMPLETED | FAILED
    score: int | None            # whole number 0..100


def sco_outcome(version: str, cmi: Mapping[str, str]) -> ScoOutcome:
    """DESIGN.md rules for one SCO, from its current values (launch seed overlaid with its commits).

    SCORM 1.2: lesson_status passed or completed -> complete, failed -> fail; score from
    score.raw scaled by min/max. SCORM 2004: success failed -> fail; success passed, or
    completion completed with success unknown -> complete; score from score.scaled x 100,
    else raw scaled by min/max. The 2004 statuses are those in effect (RTE 4.2.4.1,
    4.2.22.1): a completion threshold or scaled passing score the launch seeded decides
    over what the SCO set, exactly as GetValue would have answered it.
    """
    if version_key(version) == "1.2":
        status = cmi.get(cmi12.LESSON_STATUS, "")
        failed = status == "failed"
        completed = status in ("passed", "completed")
        passed = True if status == "passed" else (False if failed else None)
        score = _raw_score(cmi.get(cmi12.SCORE_RAW), cmi.get(cmi12.SCORE_MIN), cmi.get(cmi12.SCORE_MAX))
    else:
        success = cmi2004.success_status_in_effect(cmi)
        completion = cmi2004.completion_status_in_effect(cmi)
        failed = success == "failed"
        completed = success == "passed" or (completion == "completed" and success == "unknown")
        passed = {"passed": True, "failed": False}.get(success)
        scaled = to_decimal(cmi.get(cmi2004.SCORE_SCALED) or "")
        if scaled is not None:
            score = _clamped(scaled * _HUNDRED)
        else:
            score = _raw_score(cmi.get(cmi2004.SCORE_RAW), cmi.get(cmi2004.SCORE_MIN), cmi.get(cmi2004.SCORE_MAX))
    return ScoOutcome(completed=completed, passed=passed, failed=failed,
                      score=None if score is None else float(score))


def course_result(version: str, outcomes: Mapping[str, ScoOutcome], sco_ids: Sequence[str],
                  rollup: Mapping[str, Any] | None = None) -> CourseResult:
    """DESIGN.md rules for the course, from every SCO's outcome (keyed by manifest item id).

    Without sequencing (rollup None, or all its fields None): complete when every SCO in
    `sco_ids` is complete; failed when any SCO failed. With a rollup computed by the
    player's sequencer, {"completed": bool|None, "satisfied": bool|None, "score": float|None}:
    it decides each aspect it speaks to. Complete when it says completed or satisfied;
    failed when it says not satisfied and every SCO has been attempted (has an outcome),
    so a remediation path is not cut short; a field left None falls back to the rule
    without sequencing. Failure wins over completion, as it does for one SCO. The score is
    the rollup's (same 0..100 scale as ScoOutcome.score) else the mean of the SCO scores
    there are. `version` is accepted for symmetry; the course rules are the same for both.
    """
    version_key(version)
    ids = list(sco_ids) or list(outcomes)
    known = [outcomes[item] for item in ids if item in outcomes]
    all_attempted = bool(ids) and len(known) == len(ids)
    rollup = rollup or {}
    satisfied, rolled_completed = rollup.get("satisfied"), rollup.get("completed")

    if satisfied is not None:
        failed = satisfied is False and all_attempted
    elif rolled_completed is not None:
        # The sequencer spoke and left satisfaction unknown: a SCO's own failure that the
        # manifest's rollup does not count (or forgives) does not fail the course.
        failed = False
    else:
        failed = any(outcome.failed for outcome in known)
    if satisfied is not None or rolled_completed is not None:
        completed = rolled_completed is True or satisfied is True
    else:
        completed = all_attempted and all(outcome.completed for outcome in known)

    status = FAILED if failed else (COMPLETED if completed else IN_PROGRESS)
    return CourseResult(status, _course_score(rollup.get("score"), known))


def round_half_up(x: float | Decimal) -> int:
    """Upstream whole-number score: half rounds up (49.5 -> 50), clamped to 0..100."""
    exact = Decimal(repr(x)) if isinstance(x, float) else Decimal(x)
    if not exact.is_finite():
        raise ValueError(f"not a finite score: {x!r}")
    whole = exact.quantize(_ROUNDING_GUARD, ROUND_HALF_UP).quantize(Decimal(1), ROUND_HALF_UP)
    return int(min(max(whole, Decimal(0)), _HUNDRED))


def upstream_action(result: CourseResult) -> tuple[str | None, int | None]:
    """(action, score) for the progress PUT: the score only rides with complete or fail."""
    if result.status == COMPLETED:
        return COMPLETE, result.score
    if result.status == FAILED:
        return FAIL, result.score
    return None, None


def _course_score(rolled: Any, known: Sequence[ScoOutcome]) -> int | None:
    if isinstance(rolled, (int, float, Decimal)) and not isinstance(rolled, bool) and math.isfinite(rolled):
        return round_half_up(rolled)
    scores = [Decimal(repr(outcome.score)) for outcome in known if outcome.score is not None]
    if not scores:
        return None
    return round_half_up(sum(scores) / len(scores))


def _raw_score(raw: str | None, low: str | None, high: str | None) -> Decimal | None:
    """raw scaled by min/max when max is given ((raw-min)/(max-min)*100, min defaulting to 0);
    otherwise raw itself when it already lies in 0..100."""
    amount = to_decimal(raw or "")
    if amount is None:
        return None
    bottom = to_decimal(low or "") or Decimal(0)
    top = to_decimal(high or "")
    if top is not None and top > bottom:
        return _clamped((amount - bottom) / (top - bottom) * _HUNDRED)
    return amount if 0 <= amount <= _HUNDRED else None


def _clamped(score: Decimal) -> Decimal:
    return min(max(score, Decimal(0)), _HUNDRED)
