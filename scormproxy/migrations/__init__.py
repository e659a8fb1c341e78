"""Alembic migrations of the schema in scormproxy/models.py."""

# The newest revision: a process that finds the schema already there skips loading Alembic
# (a fifth of a command's start-up). tests/db/test_migrations.py checks it against Alembic.
HEAD = "0001"
