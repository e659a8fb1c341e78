"""Test helper: package zips and manifests from literals, written into tmp_path."""
from __future__ import annotations

import zipfile
from pathlib import Path

NS_12 = ('xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
         'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"')
NS_2004 = ('xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
           'xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss"')

SCO_ITEM = '<item identifier="i1" identifierref="r1"><title>Lesson</title></item>'
SCO_RESOURCE = ('<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html">'
                '<file href="index.html"/></resource>')
PAGE = "<!DOCTYPE html><html><head><title>Lesson</title></head><body><p>Hello</p></body></html>"


def manifest(items: str = SCO_ITEM, resources: str = SCO_RESOURCE, *, version: str = "1.2",
             org_title: str = "Course", default: str = "org", metadata: str = "") -> str:
    ns = NS_12 if version == "1.2" else NS_2004
    if version != "1.2":
        resources = resources.replace("adlcp:scormtype", "adlcp:scormType")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="pkg" version="1" {ns}>
  <metadata><schema>ADL SCORM</schema><schemaversion>{version}</schemaversion>{metadata}</metadata>
  <organizations default="{default}">
    <organization identifier="org"><title>{org_title}</title>
      {items}
    </organization>
  </organizations>
  <resources>
    {resources}
  </resources>
</manifest>"""


def build_zip(path: Path, files: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
    return path


def build_package(tmp_path: Path, files: dict[str, bytes | str] | None = None, *, name: str = "package.zip",
                  **manifest_args) -> Path:
    """A package with a generated manifest (unless `files` brings one) and index.html (unless given)."""
    contents = {"imsmanifest.xml": manifest(**manifest_args), "index.html": PAGE}
    contents.update(files or {})
    return build_zip(tmp_path / name, contents)
