"""The content rules: what HTML, JS and CSS may reach for that the player cannot give, and dead plug-ins."""
from __future__ import annotations

import re
from dataclasses import dataclass

# Plug-in content no current browser plays (Flash ended 2020-12-31; NPAPI, and with it
# Java applets, Shockwave and Silverlight, left Chrome in 2015 and Firefox in 2017-2018).
PLUGIN_FILE_EXTENSIONS = {
    ".swf": "content.plugin_flash",
    ".flv": "content.plugin_flash",
    ".dcr": "content.plugin_shockwave",
    ".xap": "content.plugin_silverlight",
    ".jar": "content.plugin_java",
    ".class": "content.plugin_java",
}
PLUGIN_NAMES = {
    "content.plugin_flash": "Flash",
    "content.plugin_shockwave": "Shockwave",
    "content.plugin_silverlight": "Silverlight",
    "content.plugin_java": "Java applet",
}

# URLs that name a namespace or a DTD: browsers never fetch them, so they are not
# references to another host.
NON_FETCHED_URL_PREFIXES = (
    "http://www.w3.org/", "https://www.w3.org/", "http://w3.org/",
    "http://www.imsglobal.org/xsd/", "http://www.imsproject.org/xsd/", "http://www.adlnet.org/xsd/",
    "http://ltsc.ieee.org/xsd/", "http://ns.adobe.com/", "http://purl.org/", "http://schemas.xmlsoap.org/",
    "http://schemas.microsoft.com/", "http://xmlns.com/", "http://www.idpf.org/",
    # xAPI verb and activity-type IRIs are identifiers, not addresses.
    "http://adlnet.gov/expapi/", "https://w3id.org/xapi/", "http://id.tincanapi.com/",
)

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    pattern: re.Pattern
    # Where the rule reads: "html" (a whole HTML file), "css" (a stylesheet), "script"
    # (a .js file and the bodies of an HTML file's inline <script> elements).
    scopes: frozenset
    what: str  # completes "N <what>"
    # Groups of lower-case literals; every match holds one literal of each group, so a
    # file lacking a group is skipped without running the pattern (minified libraries
    # are megabytes, and nearly all of them say "document" and "//").
    needles: tuple[tuple[str, ...], ...]


def _rule(code, severity, regex, scopes, what, needles, *more_needles, ignore_case=True) -> Rule:
    scopes = (scopes,) if isinstance(scopes, str) else scopes
    pattern = re.compile(regex, re.IGNORECASE if ignore_case else 0)
    groups = tuple(tuple(group) for group in (needles, *more_needles))
    return Rule(code, severity, pattern, frozenset(scopes), what, groups)


_NOT_MEMBER = r"(?<![\w$.])"  # so `node.parent.document` or `desktop.location` do not count
_WIN = r"(?:(?:window|self)\s*\.\s*)?"
_URL_ATTRS = r"""\b(?:src|href|data|action|poster|background|codebase|srcset|formaction)\s*=\s*["']?\s*"""
_LOADING_TAG = r"<(?!a\b|area\b)[a-z][\w:-]*\b[^<>]*?"  # a link is followed, not loaded
_LINK_TAG = r"<(?:a|area)\b[^<>]*?"
_CSS_LOAD = r"""(?:url\(\s*["']?|@import\s+["'])"""
_PLUGIN_TAG = r"<(?:object|embed|param)\b[^<>]*?"
_HTTP = r"""(http://[^\s"'<>)\\]+)"""
_OTHER_HOST = r"""((?:https:)?//[^\s"'<>)\\]+)"""

_PLUGIN_NEEDLES = ("<object", "<embed", "<param")
_CSS_NEEDLES = ("url(", "@import")

RULES: tuple[Rule, ...] = (
    # Loaded by markup or a stylesheet: the learner's browser will fetch it.
    _rule("content.insecure_reference", "warning", _LOADING_TAG + _URL_ATTRS + _HTTP, "html",
          "plain-http URL(s) loaded by markup (blocked as mixed content on an https player)", ["http://"]),
    _rule("content.external_reference", "warning", _LOADING_TAG + _URL_ATTRS + _OTHER_HOST, "html",
          "URL(s) on other hosts loaded by markup (breaks offline and edge hosting)", ["//"]),
    _rule("content.insecure_reference", "warning", _CSS_LOAD + _HTTP, ("html", "css"),
          "plain-http URL(s) loaded by a stylesheet", ["http://"], _CSS_NEEDLES),
    _rule("content.external_reference", "warning", _CSS_LOAD + _OTHER_HOST, ("html", "css"),
          "URL(s) on other hosts loaded by a stylesheet", ["//"], _CSS_NEEDLES),
    # Followed only when the learner clicks, or maybe fetched by a script: worth a look.
    _rule("content.insecure_reference", "info", _LINK_TAG + _URL_ATTRS + _HTTP, "html",
          "plain-http link(s) to other sites", ["http://"]),
    _rule("content.external_reference", "info", _LINK_TAG + _URL_ATTRS + _OTHER_HOST, "html",
          "link(s) to other sites", ["//"]),
    _rule("content.insecure_reference", "info", r"""["']""" + _HTTP + r"""["']""", "script",
          "plain-http URL string(s) in scripts", ["http://"]),
    _rule("content.external_reference", "info", r"""["'](https://[^\s"'<>\\]+)["']""", "script",
          "https URL string(s) in scripts", ["https://"]),
    # Reaching past the SCORM API into the player's page, or replacing the player.
    # Script identifiers are case-sensitive: `Parent.Document` is some other object.
    _rule("content.parent_document_access", "warning",
          _NOT_MEMBER + _WIN + r"(?:parent|top|opener)\s*\.\s*document\b", ("html", "script"),
          "access(es) to the parent, top or opener window's document", ["document"], ["parent", "top", "opener"],
          ignore_case=False),
    _rule("content.top_navigation", "warning",
          _NOT_MEMBER + r"(?:window\s*\.\s*top\s*\.\s*location\b"
          r"|(?:self\s*\.\s*)?top\s*\.\s*location\s*(?:\.\s*href\s*)?=(?!=)"
          r"|(?:self\s*\.\s*)?top\s*\.\s*location\s*\.\s*(?:replace|assign)\s*\("
          r"|" + _WIN + r"parent\s*\.\s*location\b)",
          ("html", "script"), "use(s) of the top or parent window's location", ["location"], ["top", "parent"],
          ignore_case=False),
    # Plug-ins: embedded by markup (warning), or only named by a script, as feature
    # detection and fallbacks do (info; the plug-in files themselves are warned about).
    _rule("content.plugin_flash", "warning",
          _PLUGIN_TAG + r"(?:application/x-shockwave-flash|D27CDB6E-AE6D-11cf-96B8-444553540000|\.swf\b)",
          "html", "Flash embedding(s) in markup", _PLUGIN_NEEDLES),
    _rule("content.plugin_flash", "info", r"application/x-shockwave-flash|\bswfobject\b|ShockwaveFlash\.",
          "script", "mention(s) of Flash in scripts (embedding, detection or fallback)", ["shockwave", "swfobject"]),
    _rule("content.plugin_java", "warning",
          r"<applet\b|" + _PLUGIN_TAG + r"(?:application/x-java-applet|8AD9C840-044E-11D1-B3E9-00805F499D93"
          r"|\.jar\b)", "html", "Java applet embedding(s) in markup", ("<applet",) + _PLUGIN_NEEDLES),
    _rule("content.plugin_java", "info", r"application/x-java-applet|\bdeployJava\b", "script",
          "mention(s) of Java applets in scripts", ["x-java-applet", "deployjava"]),
    _rule("content.plugin_silverlight", "warning", _PLUGIN_TAG + r"(?:application/x-silverlight|\.xap\b)",
          "html", "Silverlight embedding(s) in markup", _PLUGIN_NEEDLES),
    _rule("content.plugin_silverlight", "info", r"application/x-silverlight", "script",
          "mention(s) of Silverlight in scripts", ["x-silverlight"]),
    _rule("content.plugin_shockwave", "warning",
          _PLUGIN_TAG + r"(?:application/x-director|166B1BCA-3F9C-11CF-8075-444553540000|\.dcr\b)", "html",
          "Shockwave embedding(s) in markup", _PLUGIN_NEEDLES),
    _rule("content.plugin_shockwave", "info", r"application/x-director", "script",
          "mention(s) of Shockwave in scripts", ["x-director"]),
)


def is_non_fetched_url(url: str) -> bool:
    return url.lower().startswith(NON_FETCHED_URL_PREFIXES)
