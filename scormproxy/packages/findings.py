"""Findings (one problem found in a package) and the error that carries them all."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable

from ..errors import ScormProxyError

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    severity: str
    code: str
    message: str
    location: str

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.severity} {self.code} at {self.location}: {self.message}"


def error(code: str, message: str, location: str) -> Finding:
    return Finding("error", code, message, location)


def warning(code: str, message: str, location: str) -> Finding:
    return Finding("warning", code, message, location)


def info(code: str, message: str, location: str) -> Finding:
    return Finding("info", code, message, location)


class PackageError(ScormProxyError):
    """A package is refused. `.findings` holds every error found (and the warnings met on the way).

    `.code` is the code of the first error, so callers and logs get the specific reason.
    """

    code = "package_invalid"
    http_status = 422
    summary_errors = 3  # how many errors the one-line message spells out

    def __init__(self, findings: Iterable[Finding]):
        self.findings: list[Finding] = list(findings)
        errors = self.errors
        if not errors:
            raise ValueError("PackageError needs at least one error finding")
        shown = "; ".join(f"{f.code}: {f.message}" for f in errors[: self.summary_errors])
        more = len(errors) - self.summary_errors
        if more > 0:
            shown += f" (and {more} more error{'s' if more > 1 else ''})"
        super().__init__(shown, code=errors[0].code)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.errors]

    def to_json(self) -> dict:
        body = super().to_json()
        body["error"]["findings"] = [f.to_dict() for f in self.findings]
        return body


def raise_if_errors(findings: Iterable[Finding]) -> None:
    findings = list(findings)
    if any(f.severity == "error" for f in findings):
        raise PackageError(findings)
