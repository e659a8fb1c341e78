"""build_report: the audit of one package zip, as the JSON-ready dict that schema.json describes."""
from __future__ import annotations

import hashlib
import os
import posixpath
from datetime import datetime, timezone
from pathlib import Path

from ..packages import (Finding, Manifest, PackageError, PackageZip, ZipLimits, inspect_zip, open_package_zip,
                        parse_manifest)
from . import structure
from .content_scan import SCAN_MAX_BYTES
from .inventory import OVERSIZED_FILE_BYTES, Inventory, is_os_metadata, take_inventory
from .manifest_checks import manifest_findings

REPORT_VERSION = 1
SCHEMA_ID = "urn:scormproxy:schema:audit-report:1"  # the $id of schema.json; changes with REPORT_VERSION
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
HASH_CHUNK_BYTES = 1024 * 1024
FORMATS = ("json", "html", "csv")  # what audit/formats.py renders; here so a command line can list them cheaply


def build_report(path: str | os.PathLike, limits: ZipLimits | None = None, *, allow_remote: bool = False,
                 max_file_bytes_warning: int = OVERSIZED_FILE_BYTES, scan_max_bytes: int = SCAN_MAX_BYTES,
                 known_hashes: dict[str, str] | None = None, zip_sha256: str | None = None,
                 read_media: bool = True) -> dict:
    """Audit a package zip. Never raises for a bad package: what is wrong with it becomes error findings.

    A caller that hashed the zip already passes `zip_sha256`; one that hashes the files
    itself passes `read_media=False`, so media are not inflated only to be hashed (their
    `sha256` stays None until `fill_file_hashes`)."""
    path = Path(path)
    findings: list[Finding] = []
    package = _zip_identity(path, findings, zip_sha256)
    manifest: Manifest | None = None
    inventory: Inventory | None = None
    manifest_path = None
    try:
        with open_package_zip(path, limits or ZipLimits()) as pz:
            manifest_path = pz.manifest_path
            try:
                inspected = inspect_zip(pz, allow_remote=allow_remote)
                manifest = inspected.manifest
                findings += inspected.findings
            except PackageError as exc:
                findings += exc.findings
                manifest = _structure_despite_errors(pz)
            inventory = take_inventory(pz, scan_max_bytes=scan_max_bytes, oversized_bytes=max_file_bytes_warning,
                                       known_hashes=known_hashes, read_media=read_media)
    except PackageError as exc:
        findings += exc.findings
    except OSError as exc:
        findings.append(Finding("error", "package.unreadable", f"cannot read the file ({exc.strerror})", path.name))

    files, missing = [], []
    if inventory is not None:
        findings += inventory.findings
        files, file_findings, missing = _files_section(inventory, manifest, manifest_path)
        findings += file_findings
    if manifest is not None:
        findings += manifest_findings(manifest, manifest_path or "imsmanifest.xml")
    findings = _ordered(findings)

    package.update(file_count=len(files), uncompressed_size=sum(f["size"] for f in files),
                   manifest_path=manifest_path)
    return {
        "report_version": REPORT_VERSION,
        "schema": SCHEMA_ID,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **structure.identity(manifest),
        "package": package,
        "summary": _summary(findings),
        "findings": findings,
        "default_organization": manifest.default_organization if manifest else None,
        "organizations": structure.organizations(manifest) if manifest else [],
        "scos": structure.launchables(manifest, "sco") if manifest else [],
        "assets": structure.launchables(manifest, "asset") if manifest else [],
        "launch_files": structure.launch_files(manifest) if manifest else [],
        "resources": structure.resources(manifest) if manifest else [],
        "sequencing": structure.sequencing_summary(manifest),
        "files": files,
        "missing_files": missing,
    }


def options_from_settings(settings) -> dict:
    """build_report's keyword arguments from Settings (the audit_* fields, once Settings has them)."""
    return {"max_file_bytes_warning": getattr(settings, "audit_oversized_file_bytes", OVERSIZED_FILE_BYTES),
            "scan_max_bytes": getattr(settings, "audit_scan_max_bytes", SCAN_MAX_BYTES)}


def report_has_errors(report: dict) -> bool:
    return any(f["severity"] == "error" for f in report.get("findings", []))


def _structure_despite_errors(pz: PackageZip) -> Manifest | None:
    """The manifest read without the checks against the zip's files and hosts, so a package refused
    for a missing launch file or a remote href still shows its organizations; None if it is unreadable
    anyway. Its findings are dropped: the strict parse already reported everything."""
    if pz.manifest_path is None:
        return None
    limit = pz.limits.manifest_max_bytes
    try:
        return parse_manifest(pz.read(pz.manifest_path, limit), files=None, allow_remote=True,
                              location=pz.manifest_path, read_file=lambda name: pz.read(name, limit))
    except PackageError:
        return None


def fill_file_hashes(report: dict, hashes: dict[str, str]) -> dict:
    """Put the hashes a mirror computed (path -> sha256) where the audit left none."""
    for record in report["files"]:
        if record["sha256"] is None:
            record["sha256"] = hashes.get(record["path"])
    return report


def _zip_identity(path: Path, findings: list[Finding], known_sha256: str | None) -> dict:
    identity = {"file_name": path.name, "size": None, "sha256": None}
    try:
        if known_sha256:
            identity.update(size=path.stat().st_size, sha256=known_sha256)
            return identity
        digest = hashlib.sha256()
        with open(path, "rb") as fp:
            while chunk := fp.read(HASH_CHUNK_BYTES):
                digest.update(chunk)
            identity.update(size=fp.tell(), sha256=digest.hexdigest())
    except OSError as exc:
        findings.append(Finding("error", "package.unreadable", f"cannot read the file ({exc.strerror})", path.name))
    return identity


def _files_section(inventory: Inventory, manifest: Manifest | None, manifest_path: str | None):
    present = {record.path for record in inventory.files}
    declared = _declared_paths(manifest, manifest_path)
    findings: list[Finding] = []
    files, junk = [], []
    for record in inventory.files:
        referenced = None
        if manifest is not None:
            referenced = (record.path in declared or posixpath.basename(record.path) in inventory.mentioned_names)
            if is_os_metadata(record.path):
                junk.append(record.path)
            elif not referenced:
                findings.append(Finding("info", "files.unreferenced", "not listed in the manifest nor named by any "
                                        "scanned file: possibly dead weight", record.path))
        files.append({"path": record.path, "size": record.size, "compressed_size": record.compressed_size,
                      "sha256": record.sha256, "media_type": record.media_type, "referenced": referenced})
    if junk:
        findings.append(Finding("info", "files.os_metadata", f"{len(junk)} file(s) left by the operating system "
                                f"that zipped the package (__MACOSX, .DS_Store, ...), first: {junk[0]!r}", junk[0]))
    missing = _missing_from_manifest(manifest, present)
    content_missing, content_findings = _missing_from_content(inventory, present)
    return files, findings + content_findings, missing + content_missing


def _declared_paths(manifest: Manifest | None, manifest_path: str | None) -> set[str]:
    declared = {manifest_path} if manifest_path else set()
    if manifest is not None:
        for resource in manifest.resources.values():
            declared.update(resource.files)
            if resource.href_path:
                declared.add(resource.href_path)
    return declared


def _missing_from_manifest(manifest: Manifest | None, present: set[str]) -> list[dict]:
    """Each file the manifest lists but the zip lacks (the parser's finding names only the first few)."""
    if manifest is None:
        return []
    missing = []
    for resource in manifest.resources.values():
        paths = list(resource.files)
        if resource.href_path and resource.href_path not in paths:
            paths.insert(0, resource.href_path)
        missing += [{"path": p, "referenced_by": f"resource {resource.identifier!r}"}
                    for p in paths if p not in present]
    return missing


def _missing_from_content(inventory: Inventory, present: set[str]) -> tuple[list[dict], list[Finding]]:
    folded = {p.casefold(): p for p in present}
    missing, first_by_source, count_by_source = [], {}, {}
    for source, target, line in inventory.content_refs:
        if target in present:
            continue
        missing.append({"path": target, "referenced_by": f"{source}:{line}"})
        count_by_source[source] = count_by_source.get(source, 0) + 1
        first_by_source.setdefault(source, (target, line))
    findings = []
    for source, (target, line) in first_by_source.items():
        near = folded.get(target.casefold())
        hint = f" ({near!r} differs only in case, which breaks on case-sensitive storage)" if near else ""
        findings.append(Finding("warning", "files.missing_referenced", f"{count_by_source[source]} file(s) this page "
                                f"loads are not in the package, first: {target!r}{hint}", f"{source}:{line}"))
    return missing, findings


def _ordered(findings: list[Finding]) -> list[dict]:
    unique = list(dict.fromkeys(findings))
    unique.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.code, f.location))
    return [{"severity": f.severity, "code": f.code, "message": f.message, "location": f.location} for f in unique]


def _summary(findings: list[dict]) -> dict:
    counts = {severity: sum(1 for f in findings if f["severity"] == severity) for severity in SEVERITY_ORDER}
    return {"errors": counts["error"], "warnings": counts["warning"], "infos": counts["info"],
            "passed": counts["error"] == 0}
