"""Reading manifest XML tolerantly: namespace families, case-blind names, typed values that warn, not raise."""
from __future__ import annotations

import math
import re
from typing import Iterator

from .findings import Finding, error, info, warning

CP, ADLCP, ADLSEQ, ADLNAV, IMSSS, LOM, OTHER = "imscp", "adlcp", "adlseq", "adlnav", "imsss", "lom", "other"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# The namespaces the SCORM 1.2 and 2004 bindings name. Authoring tools also
# emit variants (other versions, other case); those are matched by family name.
CANONICAL_NAMESPACES = {
    "http://www.imsproject.org/xsd/imscp_rootv1p1p2": CP,
    "http://www.imsglobal.org/xsd/imscp_v1p1": CP,
    "http://www.adlnet.org/xsd/adlcp_rootv1p2": ADLCP,
    "http://www.adlnet.org/xsd/adlcp_v1p3": ADLCP,
    "http://www.adlnet.org/xsd/adlseq_v1p3": ADLSEQ,
    "http://www.adlnet.org/xsd/adlnav_v1p3": ADLNAV,
    "http://www.imsglobal.org/xsd/imsss": IMSSS,
}
_FAMILY_HINTS = ((CP, ("imscp",)), (ADLCP, ("adlcp",)), (ADLSEQ, ("adlseq",)), (ADLNAV, ("adlnav",)),
                 (IMSSS, ("imsss",)), (LOM, ("lom", "imsmd")))
_ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
_TRUE, _FALSE = ("true", "1"), ("false", "0")


def family(namespace: str | None) -> str | None:
    if namespace is None:
        return None
    if namespace in CANONICAL_NAMESPACES:
        return CANONICAL_NAMESPACES[namespace]
    lowered = namespace.lower()
    for name, hints in _FAMILY_HINTS:
        if any(hint in lowered for hint in hints):
            return name
    return OTHER


def split_name(name: str) -> tuple[str | None, str]:
    """(family, local name) of an lxml tag or attribute key."""
    if name.startswith("{"):
        namespace, local = name[1:].split("}", 1)
        return family(namespace), local
    if ":" in name:  # a prefix the document never declared (see xml.parse_xml)
        prefix, local = name.split(":", 1)
        return family(prefix), local
    return None, name


def namespace_of(name: str) -> str | None:
    return name[1:].split("}", 1)[0] if name.startswith("{") else None


class Reader:
    """Walks one XML document, collecting findings instead of raising on odd values."""

    def __init__(self, location: str):
        self.location = location
        self.findings: list[Finding] = []

    # -- findings ----------------------------------------------------------
    def where(self, el, label: str = "") -> str:
        line = getattr(el, "sourceline", None)
        place = f"{self.location}:{line}" if line else self.location
        return f"{place} {label}".rstrip()

    def error(self, code: str, message: str, el=None, label: str = "") -> None:
        self.findings.append(error(code, message, self.where(el, label)))

    def warn(self, code: str, message: str, el=None, label: str = "") -> None:
        self.findings.append(warning(code, message, self.where(el, label)))

    def info(self, code: str, message: str, el=None, label: str = "") -> None:
        self.findings.append(info(code, message, self.where(el, label)))

    # -- structure ---------------------------------------------------------
    @staticmethod
    def children(el, fam: str, local: str) -> Iterator:
        """Child elements of one family and local name (names compared case-blind).

        Elements without a namespace count as content-packaging ones, which is how
        manifests written without a default namespace read.
        """
        if el is None:
            return
        wanted = local.lower()
        for child in el:
            if not isinstance(child.tag, str):
                continue
            child_family, child_local = split_name(child.tag)
            if child_local.lower() == wanted and (child_family == fam or (child_family is None and fam == CP)):
                yield child

    def child(self, el, fam: str, local: str):
        return next(self.children(el, fam, local), None)

    @staticmethod
    def attr(el, local: str, fam: str | None = None) -> str | None:
        """An attribute by local name; `fam` None means an unqualified (plain) attribute.

        A namespaced attribute written without its prefix (scormtype="sco") is
        accepted too: the meaning is unambiguous and real packages do it.
        """
        if el is None:
            return None
        wanted = local.lower()
        plain = None
        for key, value in el.attrib.items():
            key_family, key_local = split_name(key)
            if key_local.lower() != wanted:
                continue
            if key_family == fam:
                return value
            if key_family is None:
                plain = value
        return plain

    @staticmethod
    def text(el) -> str:
        return "".join(el.itertext()).strip() if el is not None else ""

    # -- typed values ------------------------------------------------------
    def boolean(self, el, local: str, default: bool, fam: str | None = None, code: str = "manifest.invalid_value"):
        raw = self.attr(el, local, fam)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        self.warn(code, f"{local}={raw!r} is not a boolean; using {str(default).lower()}", el)
        return default

    def decimal(self, raw: str | None, name: str, el, default: float | None, low: float | None = None,
                high: float | None = None, code: str = "manifest.invalid_value") -> float | None:
        if raw is None or not raw.strip():
            return default
        try:
            value = float(raw.strip())
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or (low is not None and value < low) or (high is not None and value > high):
            span = f" in [{low}, {high}]" if low is not None else ""
            self.warn(code, f"{name}={raw!r} is not a number{span}; ignored", el)
            return default
        return value

    def integer(self, raw: str | None, name: str, el, default: int | None, low: int = 0,
                code: str = "manifest.invalid_value") -> int | None:
        if raw is None or not raw.strip():
            return default
        text = raw.strip()
        if not re.fullmatch(r"[+-]?\d{1,18}", text) or int(text) < low:
            self.warn(code, f"{name}={raw!r} is not a whole number >= {low}; ignored", el)
            return default
        return int(text)

    def token(self, raw: str | None, name: str, el, allowed: tuple[str, ...], default: str | None,
              code: str = "manifest.invalid_value") -> str | None:
        if raw is None or not raw.strip():
            return default
        matched = self.match_token(raw, allowed)
        if matched is None:
            self.warn(code, f"{name}={raw!r} is not one of {', '.join(allowed)}; ignored", el)
            return default
        return matched

    @staticmethod
    def match_token(raw: str | None, allowed: tuple[str, ...]) -> str | None:
        """The vocabulary entry `raw` spells, compared case-blind (authoring tools vary), else None."""
        text = (raw or "").strip().lower()
        return next((candidate for candidate in allowed if candidate.lower() == text), None)

    def duration(self, raw: str | None, name: str, el, code: str = "manifest.invalid_value") -> str | None:
        if raw is None or not raw.strip():
            return None
        text = raw.strip()
        if not _ISO_DURATION.match(text):
            self.warn(code, f"{name}={raw!r} is not an ISO 8601 duration; ignored", el)
            return None
        return text
