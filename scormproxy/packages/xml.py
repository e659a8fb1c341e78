"""Hardened XML parsing for manifests and metadata: no DTD, no entities, no network, lxml kept inside."""
from __future__ import annotations

from lxml import etree

from .findings import PackageError, error


def parse_xml(data: bytes, location: str, *, lenient_prefixes: bool = False) -> etree._Element:
    """Parse `data` into an element tree, or raise PackageError ('xml.dtd_forbidden', 'xml.malformed').

    A document type declaration is refused outright, before the tree is built:
    manifests never need one, and its internal subset is where entity expansion
    ("billion laughs") and external entities (file or network reads) live.

    With `lenient_prefixes`, a document whose only fault is a namespace prefix it
    never declares (hand-written SCORM 1.2 manifests using `adlcp:` without
    `xmlns:adlcp`) is accepted; such names keep their prefix in the tag text,
    e.g. 'adlcp:masteryscore', for the caller to interpret.
    """
    if not isinstance(data, bytes):
        raise TypeError("parse_xml takes bytes, so the document's own encoding declaration is honoured")
    _refuse_doctype(data, location)
    parser = _hardened_parser()
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        if not (lenient_prefixes and _only_undeclared_prefixes(parser)):
            raise PackageError([_malformed(exc, location)]) from None
        root = _parse_recovering_prefixes(data, location)
    except (etree.LxmlError, ValueError) as exc:
        raise PackageError([error("xml.malformed", f"not well-formed XML: {exc}", location)]) from None
    if root is None:
        raise PackageError([error("xml.malformed", "the document is empty", location)])
    # Belt and braces: the scan above already stopped any document type declaration.
    if root.getroottree().docinfo.doctype:
        raise PackageError([_dtd_forbidden(location)])
    return root


def _only_undeclared_prefixes(parser: etree.XMLParser) -> bool:
    # The parser's own log: the exception's log is per thread and keeps older documents' errors.
    errors = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
    return bool(errors) and all(e.type_name == "NS_ERR_UNDEFINED_NAMESPACE" for e in errors)


def _parse_recovering_prefixes(data: bytes, location: str) -> etree._Element:
    parser = _hardened_parser(recover=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise PackageError([_malformed(exc, location)]) from None
    # Recovery must not paper over any other fault.
    for entry in parser.error_log:
        if entry.level >= etree.ErrorLevels.ERROR and entry.type_name != "NS_ERR_UNDEFINED_NAMESPACE":
            raise PackageError([error("xml.malformed", f"not well-formed XML: {entry.message}",
                                      f"{location}:{entry.line}")])
    return root


def _hardened_parser(recover: bool = False) -> etree.XMLParser:
    # A fresh parser per document: lxml parsers are not thread-safe.
    return etree.XMLParser(
        recover=recover,
        resolve_entities=False,
        no_network=True,
        dtd_validation=False,
        load_dtd=False,
        huge_tree=False,
        remove_pis=True,
        collect_ids=False,
    )


class _DoctypeSeen(Exception):
    pass


class _PrologDone(Exception):
    pass


class _PrologScanner:
    """Parser target that stops at the document type declaration or at the root element."""

    def doctype(self, name, public_id, system_url):
        raise _DoctypeSeen()

    def start(self, tag, attrib, nsmap=None):
        raise _PrologDone()

    def end(self, tag):
        pass

    def data(self, text):
        pass

    def comment(self, text):
        pass

    def close(self):
        return None


def _refuse_doctype(data: bytes, location: str) -> None:
    # The scan stops at the root's start tag, before any entity in its attributes
    # could be expanded; the real parse only runs on documents without a DOCTYPE.
    parser = etree.XMLParser(target=_PrologScanner(), resolve_entities=False, no_network=True,
                             load_dtd=False, huge_tree=False)
    try:
        etree.fromstring(data, parser)
    except _DoctypeSeen:
        raise PackageError([_dtd_forbidden(location)]) from None
    except _PrologDone:
        return
    except etree.XMLSyntaxError as exc:
        raise PackageError([_malformed(exc, location)]) from None
    except (etree.LxmlError, ValueError) as exc:
        raise PackageError([error("xml.malformed", f"not well-formed XML: {exc}", location)]) from None


def _dtd_forbidden(location: str):
    return error("xml.dtd_forbidden", "the document declares a DTD (DOCTYPE); DTDs and entity declarations "
                 "are refused", location)


def _malformed(exc: etree.XMLSyntaxError, location: str):
    line = exc.lineno or 0
    message = exc.msg if getattr(exc, "msg", None) else str(exc)
    where = f"{location}:{line}" if line else location
    return error("xml.malformed", f"not well-formed XML: {message}", where)
