"""Container zips and the remote player page: SCORM packages that play a course from the sandbox's URLs.

A container holds no course files. Its one SCO (container.html) frames the
sandbox's remote player, which frames the real launch file; the SCORM API is
relayed across the origin boundary (see the comments in remote/*.html).
Containers play the course's first SCO only.
"""
from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path
from xml.sax.saxutils import quoteattr
from xml.sax.saxutils import escape as xml_escape

from .packages import PackageInfo
from .reproducible_zip import zip_bytes

CONTAINER_PAGE = "container.html"
CONTAINER_MARKER = "container.json"
_TEMPLATES = Path(__file__).with_name("remote")

_MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier={identifier} version="1.0"
          xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="container-org">
    <organization identifier="container-org">
      <title>{title}</title>
      <item identifier="container-item" identifierref="container-sco">
        <title>{title}</title>{mastery}
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="container-sco" type="webcontent" adlcp:scormtype="sco" href="container.html">
      <file href="container.html"/>
      <file href="container.json"/>
    </resource>
  </resources>
</manifest>
"""

_MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier={identifier} version="1.0"
          xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>{schemaversion}</schemaversion>
  </metadata>
  <organizations default="container-org">
    <organization identifier="container-org">
      <title>{title}</title>
      <item identifier="container-item" identifierref="container-sco">
        <title>{title}</title>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="container-sco" type="webcontent" adlcp:scormType="sco" href="container.html">
      <file href="container.html"/>
      <file href="container.json"/>
    </resource>
  </resources>
</manifest>
"""


def build_container_zip(package: PackageInfo, *, learning_id: int, content_base: str, player_url: str,
                        remote_origin: str) -> bytes:
    """The container of a SCORM package whose files the sandbox serves under `content_base`."""
    if package.scorm_version is None or package.launch_href is None:
        raise ValueError("not a SCORM package with a launchable SCO")
    marker = {"container": True, "remote_base": content_base, "launch": package.launch_href,
              "learning_id": learning_id, "scorm_version": package.scorm_version, "player": player_url}
    page_config = {"scorm_version": package.scorm_version, "title": package.title,
                   "player_url": player_url, "remote_origin": remote_origin}
    return zip_bytes([
        ("imsmanifest.xml", _manifest(package, learning_id).encode()),
        (CONTAINER_PAGE, _render("container.html", package.title, page_config).encode()),
        (CONTAINER_MARKER, (json.dumps(marker, indent=2) + "\n").encode()),
    ])


def remote_player_page(package: PackageInfo, *, launch_url: str) -> str:
    """The page, on the sandbox's origin, that offers the course an API and relays it to the container."""
    return _render("player.html", package.title,
                   {"scorm_version": package.scorm_version, "title": package.title, "launch_url": launch_url})


def _manifest(package: PackageInfo, learning_id: int) -> str:
    identifier = quoteattr(f"openelms-sandbox-container-{learning_id}")
    title = xml_escape(package.title)
    if package.scorm_version == "1.2":
        mastery = ""
        if package.mastery_score:
            mastery = f"\n        <adlcp:masteryscore>{xml_escape(package.mastery_score)}</adlcp:masteryscore>"
        return _MANIFEST_12.format(identifier=identifier, title=title, mastery=mastery)
    return _MANIFEST_2004.format(identifier=identifier, title=title,
                                 schemaversion=xml_escape(package.schemaversion or "2004 4th Edition"))


def _render(template: str, title: str, config: dict) -> str:
    # "<" escaped inside the JSON so no value can close the <script> element.
    config_json = json.dumps(config).replace("<", "\\u003c")
    values = {"TITLE": escape(title), "CONFIG": config_json}
    text = (_TEMPLATES / template).read_text(encoding="utf-8")
    return re.sub(r"__(TITLE|CONFIG)__", lambda match: values[match.group(1)], text)
