"""Title and description from LOM metadata, written inline or in a file named by adlcp:location."""
from __future__ import annotations

from typing import Callable

from . import hrefs
from .findings import PackageError
from .reading import ADLCP, Reader, split_name
from .xml import parse_xml


def lom_title_description(root) -> tuple[str | None, str | None]:
    """general/title and general/description of the first LOM record under `root`.

    LOM bindings differ between SCORM 1.2 (imsmd, <langstring>) and 2004 (IEEE
    LOM, <string>), so elements are matched by local name in any namespace.
    """
    general = _first(root, "general")
    if general is None:
        return None, None
    return _lang_text(_first(general, "title")), _lang_text(_first(general, "description"))


def metadata_title_description(reader: Reader, metadata_el, files: set[str] | None,
                               read_file: Callable[[str], bytes] | None) -> tuple[str | None, str | None]:
    """Inline LOM first; then the adlcp:location file for whatever is still missing."""
    title, description = lom_title_description(metadata_el)
    if title and description:
        return title, description
    for location_el in reader.children(metadata_el, ADLCP, "location"):
        raw = reader.text(location_el)
        resolved = hrefs.resolve([], raw) if raw else None
        if not isinstance(resolved, hrefs.Href):
            reader.warn("manifest.metadata_unreadable", f"metadata location {raw!r} is not a file in the package",
                        location_el)
            continue
        if read_file is None or (files is not None and resolved.path not in files):
            if files is not None and resolved.path not in files:
                reader.warn("manifest.metadata_unreadable", f"metadata file {resolved.path!r} is not in the "
                            "package", location_el)
            continue
        try:
            external = parse_xml(read_file(resolved.path), resolved.path)
        except (PackageError, KeyError, OSError) as exc:
            # Metadata never reaches learners: a bad file costs the title, not the package.
            reason = exc.message if isinstance(exc, PackageError) else str(exc)
            reader.warn("manifest.metadata_unreadable", f"metadata file {resolved.path!r} ignored: {reason}",
                        location_el)
            continue
        external_title, external_description = lom_title_description(external)
        title = title or external_title
        description = description or external_description
    return title, description


def _first(root, local: str):
    for el in root.iter():
        if isinstance(el.tag, str) and split_name(el.tag)[1].lower() == local:
            return el
    return None


def _lang_text(el) -> str | None:
    if el is None:
        return None
    for child in el.iter():
        if child is not el and isinstance(child.tag, str) and split_name(child.tag)[1].lower() in ("langstring",
                                                                                                   "string"):
            text = Reader.text(child)
            if text:
                return text
    return Reader.text(el) or None
