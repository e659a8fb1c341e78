"""parse_manifest: imsmanifest.xml bytes to a Manifest, with every problem collected and raised together."""
from __future__ import annotations

from typing import Callable

from . import hrefs
from .findings import PackageError, error, raise_if_errors
from .items import ItemReader
from .manifest import SCORM_12, Manifest, Organization, Resource
from .metadata import metadata_title_description
from .reading import ADLCP, ADLSEQ, CANONICAL_NAMESPACES, CP, IMSSS, XML_NS, Reader, split_name
from .sequencing import Sequencing
from .sequencing_parser import parse_sequencing
from .versions import detect_version
from .xml import parse_xml

MANIFEST_NAME = "imsmanifest.xml"
SCORM_TYPES = ("sco", "asset")


def parse_manifest(data: bytes, *, files: set[str] | None = None,
                   read_file: Callable[[str], bytes] | None = None, allow_remote: bool = False,
                   location: str = MANIFEST_NAME) -> Manifest:
    """Parse a manifest; raise PackageError carrying every error found, or return it with its warnings.

    `files` is the set of package paths: a missing launch file is an error, other
    missing files are warnings. `read_file(path)` loads adlcp:location metadata
    files (it should raise PackageError on failure). `allow_remote` turns remote
    launch hrefs (content hosted by the vendor) from errors into infos.
    """
    root = parse_xml(data, location, lenient_prefixes=True)
    reader = Reader(location)
    _check_root(reader, root)
    manifest = _ManifestBuilder(reader, root, files, read_file, allow_remote).build()
    raise_if_errors(reader.findings)
    manifest.findings = list(reader.findings)
    return manifest


def _check_root(reader: Reader, root) -> None:
    fam, local = split_name(root.tag)
    if local.lower() != "manifest":
        raise PackageError([error("manifest.wrong_root", f"the root element is <{local}>, not <manifest>",
                                  reader.where(root))])
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else None
    if fam is None:
        reader.warn("manifest.no_namespace", "the manifest has no namespace; elements are read by name", root)
    elif fam != CP:
        raise PackageError([error("manifest.wrong_namespace", f"<manifest> is in namespace {namespace!r}, "
                                  "not an IMS Content Packaging one", reader.where(root))])
    elif namespace not in CANONICAL_NAMESPACES:
        reader.info("manifest.namespace_variant", f"unusual content packaging namespace {namespace!r}", root)
    if any(":" in name and not name.startswith("{") for el in root.iter() if isinstance(el.tag, str)
           for name in (el.tag, *el.attrib)):
        reader.warn("manifest.undeclared_prefix", "the manifest uses namespace prefixes it never declares", root)


class _ManifestBuilder:
    def __init__(self, reader: Reader, root, files, read_file, allow_remote: bool):
        self.r, self.root, self.files, self.read_file = reader, root, files, read_file
        self.allow_remote = allow_remote
        self.remote_hrefs: dict[str, str] = {}  # resource identifier -> remote URL as written
        self.refused_hrefs: set[str] = set()  # resources whose href is already an error
        self.collection: dict[str, Sequencing] = {}

    def build(self) -> Manifest:
        r, root = self.r, self.root
        metadata_el = r.child(root, CP, "metadata")
        schema = r.text(r.child(metadata_el, CP, "schema")) or None
        schemaversion = r.text(r.child(metadata_el, CP, "schemaversion")) or None
        version = detect_version(r, root, schemaversion, metadata_el)
        for sub in r.children(root, CP, "manifest"):
            r.warn("manifest.submanifest_ignored", "nested (sub-)manifests are not supported; ignored", sub)
        resources = self._resources()
        self.collection = self._collection()
        orgs_el = r.child(root, CP, "organizations")
        items = ItemReader(r, version, resources, self.files, self.remote_hrefs, self.refused_hrefs,
                           self.allow_remote, self._sequencing)
        organizations = [self._organization(el, items) for el in r.children(orgs_el, CP, "organization")]
        default = (r.attr(orgs_el, "default") or "").strip() or None
        self._check_default(orgs_el, organizations, default)
        title, description = (metadata_title_description(r, metadata_el, self.files, self.read_file)
                              if metadata_el is not None else (None, None))
        manifest = Manifest(
            identifier=(r.attr(root, "identifier") or "").strip() or None, version=version, schema=schema,
            schemaversion=schemaversion, title="", description=description, default_organization=default,
            organizations=organizations, resources=resources, sequencing_collection=self.collection)
        org = manifest.organization
        manifest.title = title or (org.title if org else None) or manifest.identifier or "Untitled package"
        if not organizations and not resources:
            r.error("manifest.empty", "the manifest has neither organizations nor resources", root)
        elif not manifest.launchable_items() and not any(f.severity == "error" for f in r.findings):
            r.warn("manifest.no_launchable_items", "the default organization has nothing a learner can launch",
                   orgs_el if orgs_el is not None else root)
        if version == SCORM_12 and manifest.has_sequencing:
            r.warn("manifest.sequencing_ignored", "IMS Simple Sequencing is not part of SCORM 1.2; ignored by "
                   "the player", root)
        return manifest

    # -- resources -----------------------------------------------------------
    def _resources(self) -> dict[str, Resource]:
        r = self.r
        resources_el = r.child(self.root, CP, "resources")
        resources: dict[str, Resource] = {}
        if resources_el is None:
            return resources
        outer_bases = self._bases([self.root, resources_el])
        for res_el in r.children(resources_el, CP, "resource"):
            identifier = (r.attr(res_el, "identifier") or "").strip()
            if not identifier:
                r.error("manifest.missing_identifier", "a resource has no identifier", res_el)
                continue
            if identifier in resources:
                r.error("manifest.duplicate_identifier", f"resource identifier {identifier!r} is used twice",
                        res_el, f"resource {identifier!r}")
                continue
            resources[identifier] = self._resource(res_el, identifier, outer_bases)
        return resources

    def _bases(self, elements) -> list[str] | None:
        bases = []
        for el in elements:
            raw = el.get(f"{{{XML_NS}}}base")
            if raw is None or not raw.strip():
                continue
            problem = hrefs.check_base(raw)
            if problem is not None:
                self.r.error(problem.code, problem.message, el)
                return None
            bases.append(raw.strip())
        return bases

    def _resource(self, res_el, identifier: str, outer_bases: list[str] | None) -> Resource:
        r, label = self.r, f"resource {identifier!r}"
        own_bases = self._bases([res_el])
        bases = None if outer_bases is None or own_bases is None else outer_bases + own_bases
        scorm_type_raw = r.attr(res_el, "scormType", ADLCP)
        scorm_type = None
        if scorm_type_raw is None:
            r.warn("manifest.scorm_type_missing", f"resource {identifier!r} has no adlcp:scormType", res_el)
        else:
            scorm_type = r.token(scorm_type_raw.lower(), "adlcp:scormType", res_el, SCORM_TYPES, None)
        resource = Resource(identifier=identifier, type=r.attr(res_el, "type"), scorm_type=scorm_type,
                            href=None, base=hrefs.base_folder(bases or []))
        raw_href = r.attr(res_el, "href")
        if raw_href is not None and raw_href.strip() and bases is not None:
            resolved = hrefs.resolve(bases, raw_href)
            if isinstance(resolved, hrefs.Href):
                resource.href, resource.href_path = resolved.url, resolved.path
                self._note_backslashes(resolved, res_el, label)
            elif resolved.code == "manifest.remote_href":
                # Judged where an item launches it: allowed for containers, refused otherwise.
                resource.href = raw_href.strip()
                self.remote_hrefs[identifier] = resource.href
            else:
                r.error(resolved.code, f"resource {identifier!r} href {resolved.message}", res_el, label)
                self.refused_hrefs.add(identifier)
        elif bases is None:
            self.refused_hrefs.add(identifier)
        missing = [path for file_el in r.children(res_el, CP, "file")
                   if (path := self._file(resource, file_el, bases, label)) is not None]
        if missing:
            shown = ", ".join(repr(path) for path in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            r.warn("manifest.file_missing", f"resource {identifier!r} lists files that are not in the package: "
                   f"{shown}{more}", res_el, label)
        for dep_el in r.children(res_el, CP, "dependency"):
            ref = (r.attr(dep_el, "identifierref") or "").strip()
            if ref:
                resource.dependencies.append(ref)
        return resource

    def _file(self, resource: Resource, file_el, bases: list[str] | None, label: str) -> str | None:
        """Add one <file> to the resource; return its path when the package lacks it."""
        r = self.r
        raw = r.attr(file_el, "href")
        if raw is None or not raw.strip() or bases is None:
            if raw is None or not raw.strip():
                r.warn("manifest.invalid_value", "a <file> has no href", file_el, label)
            return None
        resolved = hrefs.resolve(bases, raw)
        if isinstance(resolved, hrefs.HrefProblem):
            if resolved.code == "manifest.remote_href":
                r.warn("manifest.remote_file", f"file {resolved.message}; it is not part of the package",
                       file_el, label)
            else:
                r.error(resolved.code, f"file {resolved.message}", file_el, label)
            return None
        self._note_backslashes(resolved, file_el, label)
        if resolved.path not in resource.files:
            resource.files.append(resolved.path)
        if self.files is not None and resolved.path not in self.files:
            return resolved.path
        return None

    def _note_backslashes(self, resolved: hrefs.Href, el, label: str) -> None:
        if resolved.backslashes:
            self.r.warn("manifest.href_backslash", f"href {resolved.url!r} was written with backslashes", el,
                        label)

    # -- organizations and sequencing ---------------------------------------------
    def _organization(self, org_el, items: ItemReader) -> Organization:
        r = self.r
        identifier = (r.attr(org_el, "identifier") or "").strip()
        items.register(identifier, org_el, "organization")
        title = r.text(r.child(org_el, CP, "title"))
        if not title:
            r.warn("manifest.title_missing", f"organization {identifier!r} has no title", org_el)
        return Organization(
            identifier=identifier, title=title or identifier,
            items=[items.read(el) for el in r.children(org_el, CP, "item")],
            sequencing=self._sequencing(org_el),
            objectives_global_to_system=r.boolean(org_el, "objectivesGlobalToSystem", True, ADLSEQ),
            shared_data_global_to_system=r.boolean(org_el, "sharedDataGlobalToSystem", True, ADLCP))

    def _collection(self) -> dict[str, Sequencing]:
        r, collection = self.r, {}
        collection_el = r.child(self.root, IMSSS, "sequencingCollection")
        if collection_el is None:
            return collection
        for seq_el in r.children(collection_el, IMSSS, "sequencing"):
            seq = parse_sequencing(r, seq_el)
            if not seq.id:
                r.warn("sequencing.invalid_value", "a sequencingCollection entry has no ID; ignored", seq_el)
            elif seq.id in collection:
                r.error("manifest.duplicate_identifier", f"sequencing ID {seq.id!r} is used twice", seq_el)
            else:
                collection[seq.id] = seq
        return collection

    def _sequencing(self, parent_el) -> Sequencing | None:
        seq_el = self.r.child(parent_el, IMSSS, "sequencing")
        if seq_el is None:
            return None
        seq = parse_sequencing(self.r, seq_el)
        if seq.id_ref:
            referenced = self.collection.get(seq.id_ref)
            if referenced is None:
                self.r.error("sequencing.idref_missing", f"sequencing IDRef {seq.id_ref!r} matches no entry of "
                             "the sequencingCollection", seq_el)
            else:
                seq = seq.merged_over(referenced)
        return seq

    # -- whole-manifest checks -------------------------------------------------
    def _check_default(self, orgs_el, organizations: list[Organization], default: str | None) -> None:
        if not organizations:
            return
        if default is None:
            self.r.info("manifest.default_organization_unset", "organizations has no default; the first "
                        "organization is used", orgs_el)
        elif default not in {org.identifier for org in organizations}:
            self.r.warn("manifest.default_organization_missing", f"default organization {default!r} does not "
                        f"exist; using {organizations[0].identifier!r}", orgs_el)
