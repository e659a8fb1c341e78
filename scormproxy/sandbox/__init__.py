"""An Open eLMS-compatible server (the API of openelms-api.txt) for demos and tests."""
from __future__ import annotations

from .app import create_sandbox_app

__all__ = ["create_sandbox_app"]
