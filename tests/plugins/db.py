"""Database fixtures: SQLite in tmp_path, or a private schema on PostgreSQL when DATABASE_URL says so."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@contextmanager
def fresh_database_url(sqlite_dir: Path) -> Iterator[str]:
    """The URL of a fresh, empty database: a SQLite file in sqlite_dir, or a private schema on
    PostgreSQL (dropped on exit) when DATABASE_URL names one."""
    pg = _postgres_url()
    if not pg:
        yield f"sqlite:///{sqlite_dir}/scormproxy.db"
        return
    from sqlalchemy import create_engine, text

    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg else "?"
    try:
        yield f"{pg}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database_url(tmp_path):
    """A fresh, empty database for one test."""
    with fresh_database_url(tmp_path) as url:
        yield url
