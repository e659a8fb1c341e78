"""The one object a sandbox app keeps its parts in, and how views reach it."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from .content import ContentStore
from .faults import FaultQueue
from .gate import RequestLog
from .state import SandboxState

EXTENSION_KEY = "scormproxy.sandbox"


@dataclass
class SandboxContext:
    site: str
    token: str
    allow_containers: bool
    state: SandboxState
    faults: FaultQueue
    request_log: RequestLog
    content: ContentStore
    work_dir: Path
    owns_work_dir: bool

    def reset(self) -> None:
        """Forget progress, faults and seen requests; users, assignments and resources stay."""
        self.state.reset_progress()
        self.faults.clear()
        self.request_log.clear()

    def close(self) -> None:
        if self.owns_work_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)


def current_sandbox() -> SandboxContext:
    return current_app.extensions[EXTENSION_KEY]
