"""SCORM run-time limits: the specs' sizes and ranges (each citing its section) and the service's own caps."""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

# --- SCORM 1.2 Run-Time Environment (ADL, 2001), section 3.4 "Data Model" -------------
# Character-string types of RTE 3.4 "Data Types": CMIString255 and CMIString4096.
S12_STRING_255 = 255
S12_STRING_4096 = 4096
S12_IDENTIFIER_CHARS = 255            # CMIIdentifier
S12_LESSON_LOCATION_CHARS = 255       # cmi.core.lesson_location: CMIString255
S12_SUSPEND_DATA_CHARS = 4096         # cmi.suspend_data: CMIString4096
S12_COMMENTS_CHARS = 4096             # cmi.comments: CMIString4096
S12_STUDENT_LANGUAGE_CHARS = 255      # cmi.student_preference.language: CMIString255
S12_FEEDBACK_CHARS = 255              # CMIFeedback (student_response, correct_responses.n.pattern)
S12_SCORE_RANGE = (0, 100)            # cmi.core.score.*, cmi.objectives.n.score.*: 0..100
S12_MASTERY_RANGE = (0, 100)          # cmi.student_data.mastery_score
S12_AUDIO_RANGE = (-1, 100)           # cmi.student_preference.audio: CMISInteger -1..100
S12_SPEED_RANGE = (-100, 100)         # cmi.student_preference.speed: CMISInteger -100..100
S12_TEXT_RANGE = (-1, 1)              # cmi.student_preference.text: CMISInteger -1..1
# cmi.interactions.n.weighting is a CMIDecimal; the spec gives no range, the pinned
# scorm-again refuses anything outside -100..100, so nothing wider reaches us honestly.
S12_WEIGHTING_RANGE = (-100, 100)

# --- SCORM 2004 4th Edition Run-Time Environment (ADL, 2009), section 4.2 -------------
S2004_SUSPEND_DATA_CHARS = 64000      # 4.2.23 cmi.suspend_data: characterstring, SPM 64000
S2004_LAUNCH_DATA_CHARS = 4000        # 4.2.10 cmi.launch_data: characterstring, SPM 4000
S2004_LOCATION_CHARS = 1000           # 4.2.14 cmi.location: characterstring, SPM 1000
S2004_LONG_IDENTIFIER_CHARS = 4000    # long_identifier_type, SPM 4000 (objective and interaction ids)
S2004_SHORT_IDENTIFIER_CHARS = 250    # short_identifier_type, SPM 250 (likert responses)
S2004_COMMENT_CHARS = 4000            # 4.2.2 cmi.comments_from_learner.n.comment: localized_string_type, SPM 4000
S2004_COMMENT_LOCATION_CHARS = 250    # 4.2.2 cmi.comments_from_learner.n.location: characterstring, SPM 250
S2004_DESCRIPTION_CHARS = 250         # 4.2.9 / 4.2.17 *.description: localized_string_type, SPM 250
S2004_RESPONSE_TEXT_CHARS = 4000      # 4.2.9 learner_response of type "other" / "long-fill-in": SPM 4000
S2004_SCALED_RANGE = (-1, 1)          # 4.2.20 cmi.score.scaled, 4.2.19 cmi.scaled_passing_score: real(10,7) -1..1
S2004_PROGRESS_RANGE = (0, 1)         # 4.2.18 cmi.progress_measure, 4.2.5 cmi.completion_threshold: 0..1
S2004_AUDIO_CAPTIONING_RANGE = (-1, 1)  # 4.2.13 cmi.learner_preference.audio_captioning: -1, 0, 1
S2004_PREFERENCE_MIN = 0              # 4.2.13 audio_level, delivery_speed: real(10,7) >= 0
S2004_INTERACTIONS_SPM = 250          # 4.2.9 the LMS shall support at least 250 interactions
S2004_OBJECTIVES_SPM = 100            # 4.2.17 the LMS shall support at least 100 objectives
S2004_COMMENTS_SPM = 250              # 4.2.2 the LMS shall support at least 250 comments from the learner


@dataclass(frozen=True)
class RuntimeLimits:
    """The service's own caps on one commit; each becomes a Settings field `cmi_<name>`."""

    # Off (lenient): a value over a spec size the pinned scorm-again does not enforce
    # (1.2 suspend_data and CMIFeedback, 2004 descriptions) is kept with a warning, and
    # 1.2 identifiers may hold blanks; on: both are refused.
    strict_limits: bool = False
    # Lenient hard cap on SCORM 1.2 cmi.suspend_data (the spec says 4096; real content
    # routinely writes more and the pinned scorm-again lets it through).
    max_suspend_data_12: int = 65536
    max_interactions: int = S2004_INTERACTIONS_SPM
    max_objectives: int = S2004_OBJECTIVES_SPM
    max_comments: int = S2004_COMMENTS_SPM
    max_elements: int = 5000            # elements in one commit
    max_value_chars: int = S2004_SUSPEND_DATA_CHARS  # any single value

    @classmethod
    def from_settings(cls, settings: Any) -> "RuntimeLimits":
        """Read `cmi_<field>` attributes from a Settings object; missing ones keep their default."""
        values = {}
        for f in fields(cls):
            value = getattr(settings, "cmi_" + f.name, None)
            if value is not None:
                values[f.name] = value
        return cls(**values)
