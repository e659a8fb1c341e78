"""Telling SCORM 1.2 and the 2004 editions apart: schemaversion first, namespaces and features second."""
from __future__ import annotations

from .manifest import SCORM_12, SCORM_2004_2ND, SCORM_2004_3RD, SCORM_2004_4TH
from .reading import ADLCP, ADLSEQ, Reader, namespace_of, split_name

# schemaversion values with spaces removed and lower-cased.
_SCHEMAVERSIONS = {
    "1.2": SCORM_12,
    "scorm1.2": SCORM_12,
    "cam1.3": SCORM_2004_2ND,  # what 2nd Edition tools (Storyline among them) write
    "20042ndedition": SCORM_2004_2ND,
    "20043rdedition": SCORM_2004_3RD,
    "20044thedition": SCORM_2004_4TH,
}
_SCORM_12_NAMESPACES = ("imscp_rootv1p1p2", "adlcp_rootv1p2")
_SCORM_2004_NAMESPACES = ("imscp_v1p1", "adlcp_v1p3", "adlseq_v1p3", "adlnav_v1p3", "imsss")
# Manifest constructs that only SCORM 2004 4th Edition defines.
_FOURTH_EDITION_ELEMENTS = {(ADLSEQ, "objectives"), (ADLCP, "data"), (ADLCP, "map")}
_FOURTH_EDITION_ATTRIBUTES = {"shareddataglobaltosystem", "completedbymeasure", "minprogressmeasure",
                              "progressweight"}


def detect_version(reader: Reader, root, schemaversion: str | None, metadata_el=None) -> str:
    declared = _SCHEMAVERSIONS.get("".join((schemaversion or "").split()).lower())
    signals = _signals(root)
    where = metadata_el if metadata_el is not None else root
    if declared:
        says_2004 = declared != SCORM_12
        if says_2004 and "1.2" in signals and "2004" not in signals or \
                not says_2004 and "2004" in signals and "1.2" not in signals:
            reader.warn("manifest.version_mismatch", f"schemaversion says SCORM {declared} but the namespaces "
                        "belong to the other SCORM version; following schemaversion", where)
        return declared
    if schemaversion:
        reader.warn("manifest.unknown_schemaversion", f"schemaversion {schemaversion!r} is not a SCORM version",
                    where)
    if "2004" in signals and "1.2" not in signals:
        version = SCORM_2004_4TH if "4th" in signals else SCORM_2004_3RD
        reason = "4th Edition elements" if "4th" in signals else "SCORM 2004 namespaces, no 4th Edition elements"
    elif "1.2" in signals:
        version, reason = SCORM_12, "SCORM 1.2 namespaces"
    else:
        version, reason = SCORM_12, "nothing says otherwise"
    reader.warn("manifest.version_inferred", f"no usable schemaversion; taken as SCORM {version} ({reason})",
                where)
    return version


def _signals(root) -> set[str]:
    namespaces = {ns.lower() for ns in (root.nsmap or {}).values() if ns}
    signals: set[str] = set()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        namespace = namespace_of(el.tag)
        if namespace:
            namespaces.add(namespace.lower())
        fam, local = split_name(el.tag)
        if (fam, local.lower()) in _FOURTH_EDITION_ELEMENTS:
            signals.add("4th")
        for key in el.attrib:
            key_namespace = namespace_of(key)
            if key_namespace:
                namespaces.add(key_namespace.lower())
            if split_name(key)[1].lower() in _FOURTH_EDITION_ATTRIBUTES:
                signals.add("4th")
    for namespace in namespaces:
        if any(marker in namespace for marker in _SCORM_12_NAMESPACES):
            signals.add("1.2")
        if any(marker in namespace for marker in _SCORM_2004_NAMESPACES):
            signals.add("2004")
    return signals
