"""Server-side validation of a SCO's commit: the browser is never trusted with what gets stored."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Mapping

from ..errors import ScormProxyError
from . import cmi12, cmi2004
from .cmi2004 import localized_length
from .cmi_common import (
    Access,
    DataModel,
    ElementSpec,
    Fault,
    concrete,
    has_control_chars,
    memberships,
    parse_name,
    version_key,
)
from .limits import RuntimeLimits

__all__ = ["CommitProblem", "CommitRejected", "RuntimeLimits", "ValidatedCommit", "data_model", "validate_commit"]

# Problems echo element names; no real one is this long, so longer ones are cut short.
_SHOWN_NAME_CHARS = 120
# The JSON answer lists this many problems; the rest are counted.
_SHOWN_PROBLEMS = 100


@dataclass(frozen=True)
class CommitProblem:
    element: str
    code: str
    message: str


@dataclass
class ValidatedCommit:
    values: dict[str, str]                       # elements the SCO may write, as strings
    warnings: list[CommitProblem] = field(default_factory=list)


class CommitRejected(ScormProxyError):
    """A commit with anything invalid in it: every problem found, none of it stored."""

    code = "commit.invalid"
    http_status = 400

    def __init__(self, problems: Iterable[CommitProblem]):
        self.problems = list(problems)
        first = self.problems[0] if self.problems else CommitProblem("cmi", "commit.invalid", "is invalid")
        more = f" (and {len(self.problems) - 1} more problems)" if len(self.problems) > 1 else ""
        super().__init__(f"commit refused: {first.element} {first.message}{more}")

    def to_json(self) -> dict:
        body = super().to_json()
        body["error"]["problems"] = [asdict(p) for p in self.problems[:_SHOWN_PROBLEMS]]
        if len(self.problems) > _SHOWN_PROBLEMS:
            body["error"]["problems_left_off"] = len(self.problems) - _SHOWN_PROBLEMS
        return body


def data_model(version: str) -> DataModel:
    return cmi12.MODEL if version_key(version) == "1.2" else cmi2004.MODEL


def validate_commit(version: str, cmi: Mapping[str, Any], *, seeded: Mapping[str, str],
                    limits: RuntimeLimits | None = None) -> ValidatedCommit:
    """Check a flattened commit against the data model of `version`; raise CommitRejected with every problem.

    `seeded` is what the launch gave the SCO (launchstate.launch_state): a read-only
    element may only repeat its seeded value (or scorm-again's own default when nothing
    was seeded), and any element may repeat its seeded value unchecked.
    """
    model = data_model(version)
    limits = limits or RuntimeLimits()
    if not isinstance(cmi, Mapping):
        raise CommitRejected([CommitProblem("cmi", "commit.not_object", "must be an object of element -> value")])
    if len(cmi) > limits.max_elements:
        raise CommitRejected([CommitProblem(
            "cmi", "commit.too_many_elements", f"holds {len(cmi)} elements, more than {limits.max_elements}")])

    problems: list[CommitProblem] = []
    warnings: list[CommitProblem] = []
    values: dict[str, str] = {}
    present: dict[str, str] = {}
    changed: set[str] = set()
    arrays: dict[tuple[str, tuple[int, ...]], set[int]] = {}

    for name in seeded:  # entries restored at launch count towards gaps and limits
        parsed = parse_name(name)
        if parsed and (parsed[0] in model.elements or parsed[0] in model.collections):
            _note_arrays(arrays, *parsed)
    for name, raw in cmi.items():
        if not isinstance(name, str) or not name or has_control_chars(name) or not _encodable(name):
            problems.append(CommitProblem(_shown(name), "element.name", "is not a usable element name"))
            continue
        parsed = parse_name(name)
        if parsed is None or (parsed[0] not in model.elements and parsed[0] not in model.collections):
            problems.append(CommitProblem(_shown(name), "element.unknown",
                                          f"is not a SCORM {model.version} data model element"))
            continue
        template, indices = parsed
        _note_arrays(arrays, template, indices)
        if template in model.collections:
            # scorm-again flattens an empty array to {} (or []); nothing else may stand there.
            if raw is not None and not (isinstance(raw, (dict, list)) and not raw):
                problems.append(CommitProblem(name, "value.type", "is an array; only its elements take values"))
            continue
        value = _as_text(raw)
        if value is None:
            continue  # null: scorm-again's rendering of a value never set
        if isinstance(value, Fault):
            problems.append(CommitProblem(name, *value))
            continue
        present[name] = value
        spec = model.elements[template]
        fault, warning = _check_element(spec, value, seeded.get(name, spec.default), limits)
        if fault:
            problems.append(CommitProblem(name, *fault))
            continue
        if warning:
            warnings.append(CommitProblem(name, *warning))
        if spec.writable:
            values[name] = value
            if value != seeded.get(name, spec.default):
                changed.add(name)

    problems.extend(_array_problems(model, arrays, limits))
    for finding in model.cross_check({**seeded, **present}, changed):
        (warnings if finding.warning else problems).append(CommitProblem(finding.element, *finding.fault))
    if problems:
        raise CommitRejected(problems)
    return ValidatedCommit(values, warnings)


def _check_element(spec: ElementSpec, value: str, baseline: str | None,
                   limits: RuntimeLimits) -> tuple[Fault | None, Fault | None]:
    """(fault, warning) for one element's value."""
    if spec.access is Access.READ_ONLY:
        if value == baseline:
            return None, None
        return Fault("element.read_only", "is read-only for the SCO: only the launched value may be repeated"), None
    if value == baseline:
        return None, None  # echoing what the server seeded, or scorm-again's initial value
    if "\x00" in value:
        # PostgreSQL text cannot hold NUL; no SCORM type allows it either.
        return Fault("value.format", "must not contain NUL characters"), None
    warning = None
    cap = limits.max_value_chars
    length = localized_length(value) if spec.localized else len(value)
    if spec.max_chars is not None and length > spec.max_chars:
        if limits.strict_limits or spec.lenient_cap is None:
            return Fault("value.too_long", f"holds {length} characters, more than the {spec.max_chars} allowed"), None
        cap = getattr(limits, spec.lenient_cap)
        warning = Fault("value.over_spec_limit",
                        f"holds {length} characters, more than the spec's {spec.max_chars} "
                        "(kept: strict_limits is off)")
    if len(value) > cap:
        return Fault("value.too_long", f"holds {len(value)} characters, more than the {cap} allowed"), None
    fault = spec.check(value, limits.strict_limits) if spec.check else None
    return fault, (None if fault else warning)


def _note_arrays(arrays: dict[tuple[str, tuple[int, ...]], set[int]], template: str, indices: tuple[int, ...]) -> None:
    for array, parents, index in memberships(template, indices):
        arrays.setdefault((array, parents), set()).add(index)


def _array_problems(model: DataModel, arrays: Mapping[tuple[str, tuple[int, ...]], set[int]],
                    limits: RuntimeLimits) -> Iterable[CommitProblem]:
    # SetValue only appends (index == _count), so a gap means a forged commit.
    for (array, parents), indices in arrays.items():
        name = concrete(array, parents)
        count = len(indices)
        if max(indices) != count - 1:
            missing = min(set(range(max(indices))) - indices)
            yield CommitProblem(name, "index.gap",
                                f"entries must be numbered from 0 without gaps; {missing} is missing")
        limit_field = model.collections.get(array)
        if limit_field and count > getattr(limits, limit_field):
            yield CommitProblem(name, "index.limit",
                                f"holds {count} entries, more than the {getattr(limits, limit_field)} allowed")


def _as_text(raw: Any) -> str | Fault | None:
    """A commit value as the string SetValue would have taken; None for null."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, str):
        return raw if _encodable(raw) else Fault("value.encoding", "is not valid Unicode text")
    if isinstance(raw, int):
        try:
            return str(raw)
        except ValueError:  # beyond Python's int-to-text digit limit: no real number is
            return Fault("value.type", "is too large a number")
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return Fault("value.type", "must be a finite number")
        # Fixed-point, as JavaScript's String() would mostly write it; SCORM numbers have no exponent.
        return format(Decimal(repr(raw)), "f")
    return Fault("value.type", "must be a string, number or boolean")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from JSON "\ud800" escapes
        return False
    return True


def _shown(name: Any) -> str:
    text = name if isinstance(name, str) else repr(name)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    text = "".join(ch if " " <= ch < "\x7f" or ch > "\x9f" else "?" for ch in text)
    return text if len(text) <= _SHOWN_NAME_CHARS else text[:_SHOWN_NAME_CHARS] + "..."
