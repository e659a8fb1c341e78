"""Injected faults: what the sandbox does wrong on purpose, in FIFO order, for tests of the client."""
from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass, replace
from typing import Any, Mapping

# "drop_after" is ours, not the brief's: the request is processed, then the
# connection is cut before the answer, the case that makes retries resend.
# "hang_after" processes the request, then waits `delay` before answering: the window
# in which a crash drill kills a client that has sent but not yet recorded.
FAULT_KINDS = ("status", "slow", "drop", "drop_after", "hang_after", "redirect")
UNTIL_CLEARED = -1
DEFAULT_MAX_DELAY = 300.0


class FaultSpecError(ValueError):
    """A fault description that cannot be acted on."""


@dataclass(frozen=True)
class Fault:
    kind: str
    count: int = 1  # how many matching requests it still applies to; -1 until cleared
    retry_after: float | None = None
    delay: float = 0.0
    status: int | None = None
    path: str | None = None  # substring of path?query that a request must contain
    location: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def applies_to(self, target: str) -> bool:
        return self.path is None or self.path in target


def fault_from_json(data: Any, *, max_delay: float = DEFAULT_MAX_DELAY) -> Fault:
    """Validate a `POST /_sandbox/faults` body (or keyword arguments) into a Fault."""
    if not isinstance(data, Mapping):
        raise FaultSpecError("expected a JSON object")
    unknown = set(data) - {"kind", "count", "retry_after", "delay", "status", "path", "location"}
    if unknown:
        raise FaultSpecError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
    kind = data.get("kind")
    if kind not in FAULT_KINDS:
        raise FaultSpecError(f"kind must be one of {', '.join(FAULT_KINDS)}")
    count = _integer(data.get("count", 1), "count")
    if count == 0 or count < UNTIL_CLEARED:
        raise FaultSpecError("count must be a positive number, or -1 for until cleared")
    retry_after = data.get("retry_after")
    if retry_after is not None:
        retry_after = _number(retry_after, "retry_after", 0, 86400)
    delay = _number(data.get("delay", 0.0), "delay", 0, max_delay)
    status = data.get("status")
    if status is not None:
        status = _integer(status, "status")
        if not 100 <= status <= 599:
            raise FaultSpecError("status must be an HTTP status code")
    if kind == "status" and status is None:
        raise FaultSpecError("a status fault needs a status")
    path = data.get("path")
    if path is not None and (not isinstance(path, str) or not path):
        raise FaultSpecError("path must be a non-empty string or null")
    location = data.get("location")
    if kind == "redirect" and (not isinstance(location, str) or not location):
        raise FaultSpecError("a redirect fault needs a location")
    return Fault(kind=kind, count=count, retry_after=retry_after, delay=delay, status=status, path=path,
                 location=location)


def _integer(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultSpecError(f"{name} must be an integer")
    return value


def _number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise FaultSpecError(f"{name} must be a number")
    if not low <= value <= high:
        raise FaultSpecError(f"{name} must be between {low:g} and {high:g}")
    return float(value)


class FaultQueue:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(self, target: str) -> Fault | None:
        """The first queued fault that applies to `target`, used up by one."""
        with self._lock:
            for index, fault in enumerate(self._faults):
                if not fault.applies_to(target):
                    continue
                if fault.count == UNTIL_CLEARED:
                    return fault
                if fault.count == 1:
                    del self._faults[index]
                else:
                    self._faults[index] = replace(fault, count=fault.count - 1)
                return fault
        return None
