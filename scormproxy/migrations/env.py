"""Alembic environment: runs on the connection scormproxy.db hands over."""
from alembic import context

from scormproxy import models  # noqa: F401  (registers the tables)
from scormproxy.db import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through scormproxy.db.Database.migrate()")
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
