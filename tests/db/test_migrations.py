"""The Alembic migrations build exactly the schema the models declare."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from scormproxy import models  # noqa: F401
from scormproxy.db import Base, Database
from scormproxy.migrations import HEAD

pytestmark = pytest.mark.db


def test_migrations_match_models(database_url):
    db = Database(database_url)
    db.migrate()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    db.dispose()
    assert diff == []


def test_migrate_twice_is_harmless(database_url):
    db = Database(database_url)
    db.migrate()
    db.migrate()
    with db.engine.connect() as conn:
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    db.dispose()
    assert version == HEAD


def test_the_head_constant_is_alembics_head(database_url):
    script = ScriptDirectory.from_config(Database(database_url).alembic_config())
    assert script.get_current_head() == HEAD
