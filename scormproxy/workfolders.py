"""Private scratch folders for mirror runs, and the removal of those a killed run left behind.

A run holds an exclusive lock on a file in its folder for as long as it lives; the kernel
drops the lock when the process dies however it dies, so a folder whose lock can be
taken belongs to nobody. No clocks and no process ids are trusted.
"""
from __future__ import annotations

import fcntl
import logging
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from typing import Iterator

log = logging.getLogger(__name__)

PREFIX = "mirror-"
LOCK_NAME = ".owner.lock"
UNLOCKED_GRACE_SECONDS = 3600  # a folder caught between its creation and its lock file


@contextmanager
def work_folder(parent: str | None) -> Iterator[str]:
    """A new folder under `parent`, removed on the way out; locked while in use."""
    with tempfile.TemporaryDirectory(prefix=PREFIX, dir=parent) as folder:
        with open(os.path.join(folder, LOCK_NAME), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield folder


def sweep_dead_folders(parent: str) -> int:
    """Remove the folders of runs that died (SIGKILL, power loss) under `parent`; returns how many."""
    removed = 0
    try:
        names = [name for name in os.listdir(parent) if name.startswith(PREFIX)]
    except FileNotFoundError:
        return 0
    for name in names:
        folder = os.path.join(parent, name)
        if _is_abandoned(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    if removed:
        log.info("removed scratch folders of dead mirror runs", extra={"count": removed})
    return removed


def _is_abandoned(folder: str) -> bool:
    try:
        fd = os.open(os.path.join(folder, LOCK_NAME), os.O_RDWR)
    except FileNotFoundError:
        try:
            return time.time() - os.stat(folder).st_mtime > UNLOCKED_GRACE_SECONDS
        except OSError:
            return False
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # its run is alive
    finally:
        os.close(fd)  # closing drops the lock we may have taken
    return True
