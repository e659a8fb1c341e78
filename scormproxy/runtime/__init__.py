"""The SCORM run-time data model on the server: commit validation, launch state and result rules."""
from __future__ import annotations

from .launchstate import accumulate_total_time, launch_state
from .limits import RuntimeLimits
from .results import START, CourseResult, ScoOutcome, course_result, round_half_up, sco_outcome, upstream_action
from .validate import CommitProblem, CommitRejected, ValidatedCommit, validate_commit

__all__ = [
    "START", "CommitProblem", "CommitRejected", "CourseResult", "RuntimeLimits", "ScoOutcome",
    "ValidatedCommit", "accumulate_total_time", "course_result", "launch_state", "round_half_up",
    "sco_outcome", "upstream_action", "validate_commit",
]
