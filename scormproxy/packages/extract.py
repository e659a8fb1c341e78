"""Inflate a package's files once into a private folder: verified and hashed on the way."""
from __future__ import annotations

import hashlib
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .findings import PackageError
from .zipsafe import PackageZip, ZipEntry

WRITE_CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ExtractedFile:
    entry: ZipEntry
    sha256: str
    path: str  # the inflated bytes on disk, under the extraction folder


def extract_verified(package: PackageZip, folder: str, *, threads: int = 1) -> list[ExtractedFile]:
    """Inflate every file of `package` into `folder`, counting bytes against the zip's limits, checking
    CRCs and hashing, several files at once (inflating, hashing and writing release the GIL).

    The files are named by their position in the zip, never by their path inside it, so no
    entry name can reach outside `folder`. Raises one PackageError with every problem found,
    after removing `folder`: a package that fails leaves nothing behind.
    """
    os.makedirs(folder, exist_ok=True)
    files = [(number, entry) for number, entry in enumerate(package.entries) if not entry.is_dir]
    too_large = threading.Event()  # past the package's budget every further read fails alike

    def extract(job: tuple[int, ZipEntry]) -> ExtractedFile | PackageError | None:
        number, entry = job
        if too_large.is_set():
            return None
        path = os.path.join(folder, str(number))
        digest = hashlib.sha256()
        try:
            with package.open(entry.path) as stream, open(path, "xb", buffering=0) as out:
                while chunk := stream.read(WRITE_CHUNK_BYTES):
                    digest.update(chunk)
                    out.write(chunk)
        except PackageError as exc:
            if "zip.too_large" in exc.codes:
                too_large.set()
            return exc
        return ExtractedFile(entry, digest.hexdigest(), path)

    try:
        with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
            results = list(pool.map(extract, files))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    problems = [finding for result in results if isinstance(result, PackageError) for finding in result.errors]
    if problems:
        shutil.rmtree(folder, ignore_errors=True)
        raise PackageError(problems)
    return [result for result in results if isinstance(result, ExtractedFile)]
