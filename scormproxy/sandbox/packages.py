"""The sandbox's package folder: which zips it serves and the little it reads from their manifests.

This is a lookup for display and for building containers, not the project's
manifest model: anything it cannot read falls back to the file name.
"""
from __future__ import annotations

import logging
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

log = logging.getLogger(__name__)

MANIFEST_NAME = "imsmanifest.xml"
DEFAULT_MANIFEST_MAX_BYTES = 8 * 1024 * 1024
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


@dataclass(frozen=True)
class PackageInfo:
    path: Path
    title: str
    scorm_version: str | None = None  # "1.2" or "2004"; None without a readable manifest
    schemaversion: str | None = None  # as written in the manifest, e.g. "2004 4th Edition"
    launch_href: str | None = None  # first SCO's launch, relative to the package root
    mastery_score: str | None = None  # SCORM 1.2 adlcp:masteryscore of that SCO


def scan_packages(folder: Path | str, *, manifest_max_bytes: int = DEFAULT_MANIFEST_MAX_BYTES) -> list[PackageInfo]:
    """Every *.zip directly in `folder`, sorted by file name (its position + 1 is its learning id)."""
    zips = sorted((p for p in Path(folder).iterdir() if p.is_file() and p.name.lower().endswith(".zip")),
                  key=lambda p: p.name)
    return [read_package(p, manifest_max_bytes=manifest_max_bytes) for p in zips]


def read_package(path: Path, *, manifest_max_bytes: int = DEFAULT_MANIFEST_MAX_BYTES) -> PackageInfo:
    fallback = PackageInfo(path=path, title=path.stem)
    raw = _read_manifest_bytes(path, manifest_max_bytes)
    if raw is None:
        return fallback
    root = _parse_hardened(raw)
    if root is None or _local(root) != "manifest":
        log.info("sandbox: %s has no usable manifest; named after its file", path.name)
        return fallback
    schemaversion = _first_text(root, "./*[local-name()='metadata']/*[local-name()='schemaversion']")
    organization = _default_organization(root)
    title = None
    if organization is not None:
        title = (_first_text(organization, "./*[local-name()='title']")
                 or _first_text(organization, ".//*[local-name()='item']/*[local-name()='title']"))
    launch_href, mastery = _launch(root, organization)
    return PackageInfo(path=path, title=title or path.stem, scorm_version=_scorm_version(root, schemaversion),
                       schemaversion=schemaversion, launch_href=launch_href, mastery_score=mastery)


def _read_manifest_bytes(path: Path, limit: int) -> bytes | None:
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(MANIFEST_NAME)
            if info.file_size > limit:
                return None
            with archive.open(info) as member:
                # Read one byte past the limit: headers can lie about sizes.
                data = member.read(limit + 1)
            return data if len(data) <= limit else None
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError):
        return None
    except Exception:  # zlib.error and friends: the sandbox must still start
        log.warning("sandbox: cannot read the manifest of %s", path.name, exc_info=True)
        return None


def _parse_hardened(raw: bytes):
    # No entities, no network, no DTD: a sandbox reading hostile fixtures stays inert.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False, remove_comments=True)
    try:
        tree = etree.ElementTree(etree.fromstring(raw, parser))
    except (etree.XMLSyntaxError, ValueError):
        return None
    if tree.docinfo.doctype:
        return None
    return tree.getroot()


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _first_text(element, xpath: str) -> str | None:
    for found in element.xpath(xpath):
        text = " ".join("".join(found.itertext()).split())
        if text:
            return text
    return None


def _default_organization(root):
    organizations = root.xpath("./*[local-name()='organizations']")
    if not organizations:
        return None
    candidates = organizations[0].xpath("./*[local-name()='organization']")
    default = organizations[0].get("default")
    for organization in candidates:
        if organization.get("identifier") == default:
            return organization
    return candidates[0] if candidates else None


def _scorm_version(root, schemaversion: str | None) -> str | None:
    if schemaversion:
        if schemaversion.strip() == "1.2":
            return "1.2"
        if "2004" in schemaversion or "1.3" in schemaversion:
            return "2004"
    namespaces = " ".join(v for v in root.nsmap.values() if v)
    if "adlcp_rootv1p2" in namespaces:
        return "1.2"
    if "adlcp_v1p3" in namespaces:
        return "2004"
    return None


def _launch(root, organization) -> tuple[str | None, str | None]:
    if organization is None:
        return None, None
    resources_parent = root.xpath("./*[local-name()='resources']")
    if not resources_parent:
        return None, None
    resources = {r.get("identifier"): r for r in resources_parent[0].xpath("./*[local-name()='resource']")}
    for item in organization.xpath(".//*[local-name()='item'][@identifierref]"):
        resource = resources.get(item.get("identifierref"))
        if resource is None or not resource.get("href") or _scorm_type(resource) == "asset":
            continue
        bases = [root.get(_XML_BASE), resources_parent[0].get(_XML_BASE), resource.get(_XML_BASE)]
        href = _safe_relative("".join(b for b in bases if b) + resource.get("href"))
        if href is None:
            return None, None
        mastery = _first_text(item, "./*[local-name()='masteryscore']")
        return _with_parameters(href, item.get("parameters")), mastery
    return None, None


def _scorm_type(resource) -> str:
    for name, value in resource.attrib.items():
        if etree.QName(name).localname.lower() == "scormtype":
            return value.strip().lower()
    return ""


def _safe_relative(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("/") or "\\" in href:
        return None
    normalised = posixpath.normpath(parts.path)
    if normalised.startswith(".."):
        return None
    return href


def _with_parameters(href: str, parameters: str | None) -> str:
    if not parameters:
        return href
    if parameters[0] in "?#":
        return href + parameters if "?" not in href or parameters[0] == "#" else href + "&" + parameters[1:]
    return href + ("&" if "?" in href else "?") + parameters
