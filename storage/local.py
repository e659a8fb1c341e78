"""LocalStorage: objects as files under one folder, the embedded default backend."""
from __future__ import annotations

import errno
import mimetypes
import os
import uuid
from stat import S_ISREG
from typing import BinaryIO, Iterator

from .base import (CHUNK_SIZE, TEMP_PREFIX, NotFound, ObjectReader, SizedReader, Storage, StorageError,
                   StoredObject, resolve_range, validate_key, validate_prefix)

# A concurrent delete_prefix may remove the folder between makedirs and the temp
# file's creation; a put tries again this many times before giving up.
_PUT_FOLDER_ATTEMPTS = 3


def file_etag(st: os.stat_result) -> str:
    """A strong ETag from (inode, mtime_ns, size).

    Every put writes a new file and renames it into place, so each version gets a
    fresh inode and mtime: the ETag changes whenever the content may have, and
    costs one stat instead of hashing the file or keeping a sidecar.
    """
    return f"{st.st_ino:x}-{st.st_mtime_ns:x}-{st.st_size:x}"


def guess_content_type(key: str) -> str | None:
    return mimetypes.guess_type(key, strict=False)[0]


def open_file_range(path: str, key: str, start: int | None, end: int | None,
                    stored: StoredObject | None = None, chunk_size: int = CHUNK_SIZE) -> ObjectReader:
    """An ObjectReader over bytes start..end (inclusive) of a file; FileNotFoundError if it is gone."""
    f = open(path, "rb", buffering=0)
    try:
        st = os.fstat(f.fileno())
        first, stop = resolve_range(key, start, end, st.st_size)
        f.seek(first)
    except BaseException:
        f.close()
        raise
    if stored is None:
        stored = StoredObject(key, st.st_size, file_etag(st), guess_content_type(key))

    def chunks() -> Iterator[bytes]:
        remaining = stop - first
        while remaining > 0:
            try:
                data = f.read(min(chunk_size, remaining))
            except OSError as exc:
                raise StorageError(f"{key}: read failed: {exc.strerror or exc}") from None
            if not data:
                raise StorageError(f"{key}: file shrank while being read")
            remaining -= len(data)
            yield data

    return ObjectReader(chunks(), length=stop - first, object=stored, on_close=f.close)


class LocalStorage(Storage):
    """Objects are files at root/<key>.

    Content type is not kept: stat reports the type guessed from the key's
    extension. A key that is a folder of other keys is not an object.
    """

    def __init__(self, root: str, *, chunk_size: int = CHUNK_SIZE, fsync_each: bool = True):
        self.root = os.path.abspath(root)
        self.chunk_size = chunk_size
        # False: puts skip their own fsyncs, and the caller calls sync() once before it
        # relies on them (the mirror does, before publishing) — thousands of small files
        # otherwise cost two fsyncs each.
        self.fsync_each = fsync_each
        try:
            os.makedirs(self.root, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create storage folder {self.root}: {exc.strerror or exc}") from None

    def __repr__(self) -> str:
        return f"LocalStorage({self.root!r})"

    def _path(self, key: str) -> str:
        return os.path.join(self.root, *validate_key(key).split("/"))

    def put(self, key: str, stream: BinaryIO, *, size: int | None = None,
            content_type: str | None = None) -> StoredObject:
        path = self._path(key)
        folder = os.path.dirname(path)
        source = SizedReader(key, stream, size)
        for attempt in range(_PUT_FOLDER_ATTEMPTS):
            try:
                os.makedirs(folder, exist_ok=True)
                temp = os.path.join(folder, f"{TEMP_PREFIX}{uuid.uuid4().hex}.tmp")
                fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                break
            except FileNotFoundError:
                if attempt + 1 == _PUT_FOLDER_ATTEMPTS:
                    raise StorageError(f"{key}: folder keeps disappearing during put") from None
            except OSError as exc:
                raise StorageError(f"{key}: cannot write: {exc.strerror or exc}") from None
        try:
            with os.fdopen(fd, "wb") as out:
                while data := source.read(self.chunk_size):
                    out.write(data)
                out.flush()
                # fsync before the rename: after a crash the key holds the old
                # object or the whole new one, never a truncated file.
                if self.fsync_each:
                    os.fsync(out.fileno())
                st = os.fstat(out.fileno())
            os.replace(temp, path)
        except BaseException as exc:
            _remove_quietly(temp)
            if exc is source.caller_error or isinstance(exc, StorageError) or not isinstance(exc, OSError):
                raise
            raise StorageError(f"{key}: write failed: {exc.strerror or exc}") from None
        if self.fsync_each:
            _fsync_folder(folder)
        return StoredObject(key, st.st_size, file_etag(st), guess_content_type(key))

    def put_file(self, key: str, path: str, *, content_type: str | None = None) -> StoredObject:
        """A rename when `path` is on the storage's file system (a mirror's inflated files are), else a copy."""
        dest = self._path(key)
        folder = os.path.dirname(dest)
        try:
            os.makedirs(folder, exist_ok=True)
            if self.fsync_each:
                _fsync_file(path)
            os.replace(path, dest)  # atomic: readers see no object or the whole one
            st = os.stat(dest)
        except OSError as exc:
            if exc.errno == errno.EXDEV:
                return super().put_file(key, path, content_type=content_type)
            raise StorageError(f"{key}: cannot move {path} into the storage: {exc.strerror or exc}") from None
        if self.fsync_each:
            _fsync_folder(folder)
        return StoredObject(key, st.st_size, file_etag(st), guess_content_type(key))

    def sync(self) -> None:
        """Make every put so far durable (one system-wide flush instead of one per file)."""
        os.sync()

    def open(self, key: str, *, start: int | None = None, end: int | None = None) -> ObjectReader:
        path = self._path(key)
        try:
            return open_file_range(path, key, start, end, chunk_size=self.chunk_size)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise NotFound(f"{key}: no such object") from None
        except OSError as exc:
            raise StorageError(f"{key}: cannot open: {exc.strerror or exc}") from None

    def stat(self, key: str) -> StoredObject:
        try:
            st = os.stat(self._path(key))
        except (FileNotFoundError, NotADirectoryError):
            raise NotFound(f"{key}: no such object") from None
        except OSError as exc:
            raise StorageError(f"{key}: cannot stat: {exc.strerror or exc}") from None
        if not S_ISREG(st.st_mode):
            raise NotFound(f"{key}: no such object")
        return StoredObject(key, st.st_size, file_etag(st), guess_content_type(key))

    def list(self, prefix: str) -> Iterator[StoredObject]:
        validate_prefix(prefix)
        found = []
        for folder, files in self._walk_prefix(prefix):
            rel = os.path.relpath(folder, self.root).replace(os.sep, "/")
            for name in files:
                key = name if rel == "." else f"{rel}/{name}"
                if key.startswith(prefix):
                    found.append(key)
        for key in sorted(found):
            try:
                yield self.stat(key)
            except NotFound:
                continue  # deleted since the walk

    def delete_prefix(self, prefix: str) -> int:
        validate_prefix(prefix, allow_empty=False)
        count = 0
        for obj in list(self.list(prefix)):
            if self._unlink(obj.key):
                count += 1
        self._prune_empty_folders(prefix)
        return count

    def delete(self, key: str) -> None:
        if self._unlink(key):
            self._prune_upward(os.path.dirname(self._path(key)))

    def local_path(self, key: str) -> str | None:
        path = self._path(key)
        if not os.path.isfile(path):
            raise NotFound(f"{key}: no such object")
        return path

    def _unlink(self, key: str) -> bool:
        try:
            os.unlink(self._path(key))
            return True
        except (FileNotFoundError, NotADirectoryError):
            return False
        except IsADirectoryError:
            return False
        except OSError as exc:
            raise StorageError(f"{key}: cannot delete: {exc.strerror or exc}") from None

    def _walk_prefix(self, prefix: str) -> Iterator[tuple[str, list[str]]]:
        """(folder, file names) for every folder that may hold keys starting with prefix, top down.

        Only the deepest folder the prefix names is walked, and at its top only the
        entries that start with the prefix's last, partial segment.
        """
        base, _, partial = prefix.rpartition("/")
        top = os.path.join(self.root, *base.split("/")) if base else self.root
        for folder, dirs, files in os.walk(top, onerror=_raise_unless_missing):
            dirs[:] = [d for d in dirs if not d.startswith(TEMP_PREFIX)
                       and (folder != top or d.startswith(partial))]
            dirs.sort()
            yield folder, [f for f in files if not f.startswith(TEMP_PREFIX)]

    def _prune_empty_folders(self, prefix: str) -> None:
        """Remove folders left empty under (and leading to) prefix, never the root."""
        folders = [folder for folder, _files in self._walk_prefix(prefix)]
        for folder in reversed(folders):
            if folder != self.root:
                _rmdir_quietly(folder)
        base = prefix.rpartition("/")[0]
        if base:
            self._prune_upward(os.path.join(self.root, *base.split("/")))

    def _prune_upward(self, folder: str) -> None:
        while folder != self.root and folder.startswith(self.root + os.sep):
            if not _rmdir_quietly(folder):
                break
            folder = os.path.dirname(folder)


def _raise_unless_missing(exc: OSError) -> None:
    if not isinstance(exc, (FileNotFoundError, NotADirectoryError)):
        raise StorageError(f"cannot list {exc.filename}: {exc.strerror or exc}")


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _rmdir_quietly(path: str) -> bool:
    try:
        os.rmdir(path)
        return True
    except OSError as exc:
        # Not empty (a concurrent put) or already gone: both fine.
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT, errno.EBUSY):
            raise StorageError(f"cannot remove folder {path}: {exc.strerror or exc}") from None
        return exc.errno == errno.ENOENT


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable; best effort where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
