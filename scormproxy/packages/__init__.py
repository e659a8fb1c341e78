"""Packages: zip safety, the imsmanifest.xml model and parser, and package inspection."""
from __future__ import annotations

from .findings import Finding, PackageError
from .inspect import InspectedPackage, inspect_package, inspect_zip
from .manifest import (SCORM_12, SCORM_2004_2ND, SCORM_2004_3RD, SCORM_2004_4TH, VERSIONS, CompletionThreshold,
                       Item, Manifest, Organization, Resource, SharedDataMap)
from .parser import parse_manifest
from .sequencing import Sequencing
from .xml import parse_xml
from .zipsafe import PackageZip, ZipEntry, ZipLimits, open_package_zip

__all__ = [
    "Finding", "PackageError",
    "ZipLimits", "ZipEntry", "PackageZip", "open_package_zip",
    "parse_xml",
    "Manifest", "Organization", "Item", "Resource", "CompletionThreshold", "SharedDataMap", "Sequencing",
    "SCORM_12", "SCORM_2004_2ND", "SCORM_2004_3RD", "SCORM_2004_4TH", "VERSIONS",
    "parse_manifest",
    "InspectedPackage", "inspect_package", "inspect_zip",
]
