"""An Open eLMS-compatible server (the API of openelms-api.txt) for demos and tests."""
from __future__ import annotations

# What a command line needs before it serves anything; importing it loads no Flask.
DEFAULT_SITE = "demo"
DEFAULT_TOKEN = "sandbox-token"
DEFAULT_SEED_USERS = 1000


def create_sandbox_app(*args, **kwargs):
    from .app import create_sandbox_app as create

    return create(*args, **kwargs)


__all__ = ["DEFAULT_SEED_USERS", "DEFAULT_SITE", "DEFAULT_TOKEN", "create_sandbox_app"]
