"""Alembic migrations of the schema in scormproxy/models.py."""
