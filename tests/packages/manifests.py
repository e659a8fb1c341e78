"""Test helper: small SCORM 1.2 and 2004 manifests from fragments."""
from __future__ import annotations

NS_12 = ('xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
         'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"')
NS_2004 = ('xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
           'xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" '
           'xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss"')

ITEM = '<item identifier="i1" identifierref="r1"><title>Lesson</title></item>'
RESOURCE = ('<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="index.html">'
            '<file href="index.html"/></resource>')
FILES = {"imsmanifest.xml", "index.html"}


def manifest(items: str = ITEM, resources: str = RESOURCE, *, version: str | None = "1.2", ns: str | None = None,
             extra: str = "", root_attrs: str = "", org_attrs: str = "", org_extra: str = "",
             default: str = "org", metadata: str = "") -> bytes:
    """A whole manifest; `version` is the schemaversion text (None leaves it out)."""
    if ns is None:
        ns = NS_12 if version == "1.2" else NS_2004
    schemaversion = f"<schemaversion>{version}</schemaversion>" if version is not None else ""
    default_attr = f' default="{default}"' if default is not None else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="pkg" version="1" {ns} {root_attrs}>
  <metadata><schema>ADL SCORM</schema>{schemaversion}{metadata}</metadata>
  <organizations{default_attr}>
    <organization identifier="org" {org_attrs}><title>Course</title>
      {items}
      {org_extra}
    </organization>
  </organizations>
  <resources>
    {resources}
  </resources>
  {extra}
</manifest>""".encode()


def manifest_2004(items: str = ITEM, resources: str = RESOURCE, *, version: str | None = "2004 4th Edition",
                  **kwargs) -> bytes:
    return manifest(items, resources, version=version, ns=kwargs.pop("ns", NS_2004), **kwargs)
