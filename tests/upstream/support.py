"""Helpers shared by the client tests: recorded sleeps, the demo packages on disk, a valid user form."""
from __future__ import annotations

import hashlib
import time
from pathlib import Path

NEW_USER = {"fname": "Grace", "lname": "Hopper", "email": "grace@example.org", "password": "s3cret-pw"}


class SleepRecorder:
    """The client's `sleep`: records every delay; really sleeps only when `real` is set."""

    def __init__(self, real: bool = False):
        self.delays: list[float] = []
        self.real = real

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        if self.real:
            time.sleep(seconds)


def package_file(demo_packages: Path, learning_id: int) -> Path:
    """Learning ids are 1..n in sorted file-name order."""
    return sorted(demo_packages.glob("*.zip"), key=lambda p: p.name)[learning_id - 1]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
