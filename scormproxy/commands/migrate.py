"""`migrate`: bring the database schema to the latest Alembic migration (Procfile release)."""
from __future__ import annotations


def add_arguments(parser) -> None:
    pass


def run(args) -> int:
    from ..services import services_from_env

    services = services_from_env()  # migrates on open
    print(f"migrate: schema up to date on {services.db.engine.url.render_as_string(hide_password=True)}")
    return 0
