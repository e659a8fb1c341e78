"""inspect_package: a package zip's directory checks plus its parsed manifest, without inflating every file."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from .findings import Finding, PackageError
from .manifest import Manifest
from .parser import parse_manifest
from .zipsafe import PackageZip, ZipEntry, ZipLimits, open_package_zip


@dataclass
class InspectedPackage:
    manifest: Manifest
    entries: list[ZipEntry]
    findings: list[Finding] = field(default_factory=list)  # zip and manifest warnings and infos


def inspect_package(path: str | os.PathLike, limits: ZipLimits = ZipLimits(), *,
                    allow_remote: bool = False) -> InspectedPackage:
    """Open, check and parse a package; raise PackageError with every error of the zip and the manifest.

    Only the manifest and its metadata files are inflated: run PackageZip.verify()
    (or inspect_zip on an open PackageZip) when every file must be checked.
    """
    with open_package_zip(path, limits) as package:
        return inspect_zip(package, allow_remote=allow_remote)


def inspect_zip(package: PackageZip, *, allow_remote: bool = False) -> InspectedPackage:
    """inspect_package for a zip the caller keeps open (to verify and store it afterwards)."""
    limits = package.limits
    manifest_path = package.manifest_path
    try:
        data = package.read(manifest_path, limits.manifest_max_bytes)
        manifest = parse_manifest(data, files=package.files, allow_remote=allow_remote, location=manifest_path,
                                  read_file=lambda path: package.read(path, limits.manifest_max_bytes))
    except PackageError as exc:
        raise PackageError(exc.findings + package.findings) from None
    return InspectedPackage(manifest=manifest, entries=list(package.entries),
                            findings=package.findings + manifest.findings)
