"""Mirroring through the sandbox over HTTP into local storage and S3 (moto over HTTP)."""
from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scormproxy.mirror import blob_key
from scormproxy.models import PackageFile, PackageVersion
from scormproxy.sandbox.testing import running_sandbox
from scormproxy.services import get_services
from tests.packages.manifests import manifest
from tests.packages.zipbuilder import build_zip, build_zip_entries, flip_data_byte, patch_entry

pytestmark = pytest.mark.db

CATALOG_VERSIONS = {"SCORM 1.2": "1.2", "SCORM 2004 2nd Ed.": "2004 2nd Edition",
                    "SCORM 2004 3rd Ed.": "2004 3rd Edition", "SCORM 2004 4th Ed.": "2004 4th Edition"}


def catalog_rows(samples_dir: Path) -> dict[str, dict]:
    """The table of CATALOG.md: file -> version, SCO count, sequencing present."""
    rows = {}
    for line in (samples_dir / "CATALOG.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or not cells[0].startswith("`"):
            continue
        name = cells[0].strip("`")
        version = next((v for k, v in CATALOG_VERSIONS.items() if cells[1].startswith(k)), None)
        rows[name] = {"version": version, "scos": None if cells[2] == "-" else int(cells[2]),
                      "sequencing": cells[3].startswith("yes")}
    return rows


@pytest.fixture(params=["local", "s3"])
def storage_url(request, tmp_path):
    if request.param == "local":
        return {"storage_url": f"file://{tmp_path}/store"}
    s3_server = request.getfixturevalue("s3_server")
    bucket = request.getfixturevalue("s3_bucket")
    return {"storage_url": f"s3://{bucket}/mirror", "s3_endpoint_url": s3_server}


def _has_sequencing(model) -> bool:
    if isinstance(model, dict):
        if model.get("sequencing") or model.get("sequencing_collection"):
            return True
        return any(_has_sequencing(v) for v in model.values())
    if isinstance(model, list):
        return any(_has_sequencing(v) for v in model)
    return False


def _launch_paths(model: dict) -> list[str]:
    paths = []

    def walk(items):
        for item in items:
            if item.get("identifierref") and item.get("launch_href"):
                paths.append(re.split(r"[?#]", item["launch_href"])[0])
            walk(item.get("children") or [])
    for org in model.get("organizations") or []:
        walk(org.get("items") or [])
    return paths


def test_corpus_mirrors_into_each_backend(samples_dir, make_service, storage_url, admin_headers):
    catalog = catalog_rows(samples_dir)
    with running_sandbox(samples_dir) as sandbox:
        app = make_service(sandbox=sandbox, **storage_url)
        with app.app_context():
            services = get_services()
            mirror = services.mirror()
            names = sorted(p.name for p in samples_dir.glob("*.zip"))
            for learning_id, name in enumerate(names, start=1):
                before = {o.key for o in services.storage.list("")}
                outcome = mirror.mirror(learning_id)
                facts = catalog[name]
                if name.startswith("MALFORMED_"):
                    assert not outcome.ok, name
                    assert outcome.error_code in ("zip.manifest_missing", "xml.malformed"), name
                    assert {o.key for o in services.storage.list("")} == before, name
                    continue
                assert outcome.ok, (name, outcome.error)
                with services.db.session() as s:
                    version = s.get(PackageVersion, outcome.version)
                    model = json.loads(version.manifest_json)
                    files = {f.path: f.sha256 for f in s.scalars(
                        select(PackageFile).where(PackageFile.version_id == version.id))}
                    assert version.scorm_version == facts["version"], name
                scos = sum(1 for r in model["resources"].values() if r.get("scorm_type") == "sco")
                assert scos == facts["scos"], name
                assert _has_sequencing(model) == facts["sequencing"], name
                launches = _launch_paths(model)
                assert launches, name
                for path in launches:
                    assert services.storage.exists(blob_key(files[path])), (name, path)
        client = app.test_client()
        listing = client.get("/api/packages", headers=admin_headers).get_json()
        by_id = {p["learning_id"]: p for p in listing}
        for learning_id, name in enumerate(names, start=1):
            entry = by_id[learning_id]
            if name.startswith("MALFORMED_"):
                assert entry["status"] == "failed" and entry["version"] is None and entry["error"]
            else:
                assert entry["status"] == "mirrored" and entry["scorm_version"] == catalog[name]["version"]


def _sco_zip(path: Path, body: str = "hello", extra: dict | None = None) -> Path:
    files = {"imsmanifest.xml": manifest(), "index.html": f"<html><body>{body}</body></html>"}
    files.update(extra or {})
    return build_zip(path, files)


def _hostile(tmp: Path, kind: str) -> Path:
    path = tmp / f"{kind}.zip"
    good = {"imsmanifest.xml": manifest(), "index.html": "<p>x</p>"}
    if kind == "traversal":
        return build_zip(path, {**good, "../evil.html": "x"})
    if kind == "absolute":
        return build_zip(path, {**good, "/etc/evil": "x"})
    if kind == "backslash":
        return build_zip(path, {**good, "a\\..\\..\\evil": "x"})
    if kind == "symlink":
        return build_zip_entries(path, [*good.items(), ("link", "/etc/passwd")], symlinks=("link",))
    if kind == "duplicate":
        return build_zip_entries(path, [*good.items(), ("index.html", "again")])
    if kind == "encrypted":
        build_zip(path, good)
        patch_entry(path, "index.html", local=True, flag_bits=1)
        return path
    if kind == "bad_crc":
        build_zip(path, {**good, "big.txt": "abc" * 1000})
        flip_data_byte(path, "big.txt", 5)
        return path
    if kind == "lying_size":
        build_zip(path, {**good, "bomb.txt": b"\0" * 200_000})
        patch_entry(path, "bomb.txt", local=True, file_size=10)
        return path
    if kind == "not_a_zip":
        path.write_bytes(b"this is not a zip at all" * 10)
        return path
    if kind == "no_manifest":
        return build_zip(path, {"index.html": "<p>x</p>"})
    if kind == "dtd":
        evil = manifest().replace(b"<manifest", b'<!DOCTYPE m [<!ENTITY x "y">]><manifest', 1)
        return build_zip(path, {"imsmanifest.xml": evil, "index.html": "x"})
    if kind == "escaping_href":
        bad = manifest().replace(b'href="index.html">', b'href="../../index.html">')
        return build_zip(path, {"imsmanifest.xml": bad, "index.html": "x"})
    if kind == "javascript_href":
        bad = manifest().replace(b'href="index.html">', b'href="javascript:alert(1)">')
        return build_zip(path, {"imsmanifest.xml": bad, "index.html": "x"})
    raise AssertionError(kind)


HOSTILE = ["traversal", "absolute", "backslash", "symlink", "duplicate", "encrypted", "bad_crc",
           "lying_size", "not_a_zip", "no_manifest", "dtd", "escaping_href", "javascript_href"]


def test_hostile_packages_store_nothing(tmp_path, make_service):
    folder = tmp_path / "hostile"
    folder.mkdir()
    for index, kind in enumerate(HOSTILE):
        _hostile(folder, kind).rename(folder / f"{index:02d}-{kind}.zip")
    with running_sandbox(folder) as sandbox:
        app = make_service(sandbox=sandbox, storage_url=f"file://{tmp_path}/store")
        with app.app_context():
            services = get_services()
            mirror = services.mirror()
            for learning_id, kind in enumerate(HOSTILE, start=1):
                outcome = mirror.mirror(learning_id)
                assert not outcome.ok, kind
                assert outcome.error and outcome.error_code, kind
            assert list(services.storage.list("")) == []
            with services.db.session() as s:
                assert s.scalar(select(func.count()).select_from(PackageVersion)) == 0
                assert s.scalar(select(func.count()).select_from(PackageFile)) == 0


def test_remirror_is_idempotent_and_changes_make_versions(tmp_path, make_service):
    folder = tmp_path / "pk"
    folder.mkdir()
    shared_asset = b"shared-bytes" * 1000
    _sco_zip(folder / "a.zip", "one", {"logo.bin": shared_asset})
    _sco_zip(folder / "b.zip", "other course", {"logo.bin": shared_asset})
    with running_sandbox(folder) as sandbox:
        app = make_service(sandbox=sandbox, storage_url=f"file://{tmp_path}/store")
        with app.app_context():
            services = get_services()
            mirror = services.mirror()
            first = mirror.mirror(1)
            assert first.ok and first.uploaded_files == 3
            again = mirror.mirror(1)  # the very same zip: known by its hash, not opened
            assert again.ok and again.unchanged and again.version == first.version
            assert again.uploaded_files == 0
            stored = build_zip(folder / "a.zip", {"imsmanifest.xml": manifest(),
                                                  "index.html": "<html><body>one</body></html>",
                                                  "logo.bin": shared_asset}, compression=zipfile.ZIP_STORED)
            rezipped = mirror.mirror(1)  # other zip bytes, the same files: the same version
            assert stored.exists() and rezipped.ok and rezipped.unchanged and rezipped.version == first.version
            assert list((tmp_path / "data" / "tmp").iterdir()) == []  # every scratch folder removed
            other = mirror.mirror(2)
            assert other.ok and other.reused_files >= 1  # the shared asset is stored once
            _sco_zip(folder / "a.zip", "two", {"logo.bin": shared_asset})
            changed = mirror.mirror(1)
            assert changed.ok and not changed.unchanged and changed.version != first.version
            with services.db.session() as s:
                versions = s.scalars(select(PackageVersion.id).where(PackageVersion.learning_id == 1)).all()
            assert set(versions) == {first.version, changed.version}


def test_concurrent_mirrors_of_one_package_publish_one_version(tmp_path, make_service):
    from concurrent.futures import ThreadPoolExecutor

    folder = tmp_path / "pk"
    folder.mkdir()
    _sco_zip(folder / "a.zip", "same", {f"f{n}.txt": f"file {n}" for n in range(50)})
    with running_sandbox(folder) as sandbox:
        app = make_service(sandbox=sandbox, storage_url=f"file://{tmp_path}/store")
        with app.app_context():
            services = get_services()
            with ThreadPoolExecutor(3) as pool:
                outcomes = list(pool.map(lambda _: services.mirror().mirror(1), range(3)))
            assert all(o.ok for o in outcomes), [o.error for o in outcomes]
            assert len({o.version for o in outcomes}) == 1
            with services.db.session() as s:
                assert s.scalar(select(func.count()).select_from(PackageVersion)) == 1
