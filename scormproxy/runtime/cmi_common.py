"""What the SCORM 1.2 and 2004 data models share: element specs, element-name parsing, value checks."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import lru_cache
from typing import Callable, Iterable, Mapping, NamedTuple

# Placeholder for an array index in element templates, as the specs write them
# ("cmi.interactions.n.id"); a literal "n" segment in a commit is never valid.
INDEX = "n"
# Six digits are far beyond every count limit; longer runs are not indices we could accept.
_MAX_INDEX_DIGITS = 6
# parse_name remembers names up to this long (real ones are under 60 characters), this many of
# them: the entries bound its memory.
PARSED_NAME_CACHE_CHARS = 120
PARSED_NAME_CACHE_ENTRIES = 8192


class Access(Enum):
    READ_ONLY = "read-only"      # the LMS seeds it; the SCO may only echo the seeded value
    READ_WRITE = "read-write"
    WRITE_ONLY = "write-only"
    # Read-only, but the browser recomputes it (scorm-again's total_time on Terminate):
    # checked for form, never stored, because the server accumulates it itself.
    DERIVED = "derived"


class Fault(NamedTuple):
    code: str
    message: str


# A value check: (value, strict_limits) -> the fault, or None when the value is good.
Check = Callable[[str, bool], "Fault | None"]


@dataclass(frozen=True)
class ElementSpec:
    access: Access
    check: Check | None = None
    # The value scorm-again holds before anything sets it; a commit may always echo it.
    # None: no such value (the element must be seeded or set to a checked value).
    default: str | None = ""
    max_chars: int | None = None     # the spec's size (SPM) for this element
    # The RuntimeLimits field that caps it instead of max_chars when strict_limits is off.
    lenient_cap: str | None = None
    # Sized without its {lang=..} prefix (SCORM 2004 localized_string_type).
    localized: bool = False

    @property
    def writable(self) -> bool:
        return self.access in (Access.READ_WRITE, Access.WRITE_ONLY)


class CrossFinding(NamedTuple):
    element: str
    fault: Fault
    warning: bool = False


# (values present in the commit, names the commit changed from their baseline) -> findings
CrossCheck = Callable[[Mapping[str, str], set[str]], Iterable[CrossFinding]]


@dataclass(frozen=True)
class DataModel:
    version: str
    elements: Mapping[str, ElementSpec]
    # Array templates ("cmi.interactions", "cmi.interactions.n.objectives") and the
    # RuntimeLimits field capping their length (None: bounded by max_elements only).
    collections: Mapping[str, str | None]
    cross_check: CrossCheck = field(default=lambda present, changed: ())


def parse_name(name: str) -> tuple[str, tuple[int, ...]] | None:
    """'cmi.interactions.3.id' -> ('cmi.interactions.n.id', (3,)); None when no element could have it."""
    # Every commit and launch parses the same few hundred names again: remember the short
    # ones (no real element name comes near the cut; a longer one is parsed each time, so
    # no commit can fill memory with its names).
    if len(name) <= PARSED_NAME_CACHE_CHARS:
        return _parse_name_cached(name)
    return _parse_name(name)


def _parse_name(name: str) -> tuple[str, tuple[int, ...]] | None:
    template: list[str] = []
    indices: list[int] = []
    for part in name.split("."):
        if part == INDEX:
            return None
        if part.isascii() and part.isdigit():
            # "01" is not how any API writes index 1; refusing it keeps one spelling per element.
            if len(part) > _MAX_INDEX_DIGITS or (len(part) > 1 and part[0] == "0"):
                return None
            template.append(INDEX)
            indices.append(int(part))
        else:
            template.append(part)
    return ".".join(template), tuple(indices)


_parse_name_cached = lru_cache(maxsize=PARSED_NAME_CACHE_ENTRIES)(_parse_name)


def memberships(template: str, indices: tuple[int, ...]) -> Iterable[tuple[str, tuple[int, ...], int]]:
    """For each array an element sits in: (array template, indices of its parents, own index)."""
    parts = template.split(".")
    seen = 0
    for position, part in enumerate(parts):
        if part == INDEX:
            yield ".".join(parts[:position]), indices[:seen], indices[seen]
            seen += 1


def concrete(template: str, indices: tuple[int, ...]) -> str:
    """The inverse of parse_name: ('cmi.interactions.n.objectives', (2,)) -> 'cmi.interactions.2.objectives'."""
    values = iter(indices)
    return ".".join(str(next(values)) if part == INDEX else part for part in template.split("."))


_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def has_control_chars(text: str) -> bool:
    # C0, DEL and C1; one regex scan instead of a Python loop per character (every commit
    # checks every element name).
    return _CONTROL_CHARS.search(text) is not None


# --- checks ----------------------------------------------------------------------------

def vocabulary(*words: str) -> Check:
    allowed = frozenset(words)
    shown = ", ".join(repr(w) for w in words)

    def check(value: str, strict: bool) -> Fault | None:
        return None if value in allowed else Fault("value.vocabulary", f"must be one of {shown}")
    return check


def pattern(regex: str, what: str, code: str = "value.format") -> Check:
    compiled = re.compile(regex)

    def check(value: str, strict: bool) -> Fault | None:
        return None if compiled.fullmatch(value) else Fault(code, f"must be {what}")
    return check


def number(regex: str, what: str, low: float | None = None, high: float | None = None) -> Check:
    """A number written as `regex` allows, optionally within [low, high]."""
    compiled = re.compile(regex)
    if low is not None and high is not None:
        bounds = f"between {low} and {high}"
    elif low is not None:
        bounds = f"at least {low}"
    else:
        bounds = f"at most {high}" if high is not None else ""

    def check(value: str, strict: bool) -> Fault | None:
        if not compiled.fullmatch(value):
            return Fault("value.type", f"must be {what}")
        amount = to_decimal(value)
        if amount is None:
            return Fault("value.type", f"must be {what}")
        if (low is not None and amount < Decimal(str(low))) or (high is not None and amount > Decimal(str(high))):
            return Fault("value.range", f"must be {bounds}")
        return None
    return check


def empty_or(inner: Check) -> Check:
    def check(value: str, strict: bool) -> Fault | None:
        return None if value == "" else inner(value, strict)
    return check


def any_of(*checks: Check) -> Check:
    """Good when one check passes; otherwise the last check's fault."""
    def check(value: str, strict: bool) -> Fault | None:
        fault = None
        for inner in checks:
            fault = inner(value, strict)
            if fault is None:
                return None
        return fault
    return check


def to_decimal(value: str) -> Decimal | None:
    """A decimal from a value the number checks accepted ('85.', '.5', '-0.25')."""
    text = value.strip()
    if text.endswith("."):
        text += "0"
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def to_float(value: str | None) -> float | None:
    """A finite float from a stored number, or None for '' / garbage (results tolerate both)."""
    if value is None:
        return None
    amount = to_decimal(value)
    return None if amount is None else float(amount)


def version_key(version: str) -> str:
    """'1.2' or '2004' from how packages name their version ('2004 4th Edition' -> '2004')."""
    text = (version or "").strip()
    if text == "1.2" or text.startswith("1.2 "):
        return "1.2"
    if text.startswith("2004"):
        return "2004"
    raise ValueError(f"unknown SCORM version {version!r}")
