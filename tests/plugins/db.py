"""Database fixtures: SQLite in tmp_path, or a private schema on PostgreSQL when DATABASE_URL says so."""
from __future__ import annotations

import os
import uuid

import pytest


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@pytest.fixture
def database_url(tmp_path):
    """A fresh, empty database for one test."""
    pg = _postgres_url()
    if not pg:
        yield f"sqlite:///{tmp_path}/scormproxy.db"
        return
    from sqlalchemy import create_engine, text

    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg else "?"
    yield f"{pg}{sep}options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
