"""Database engine and sessions (SQLAlchemy); SQLite by default, PostgreSQL for several instances."""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

if TYPE_CHECKING:
    from flask import Flask


MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")


class Base(DeclarativeBase):
    pass


def make_engine(url: str, *, immediate: bool = True) -> Engine:
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if path and path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # WAL lets readers and one writer overlap
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # IMMEDIATE takes the write lock up front, so read-then-write transactions
            # (commit sequence checks, outbox claims) serialise instead of failing late;
            # read-only sessions use a plain BEGIN and never queue behind writers (WAL).
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        if url.startswith("sqlite"):
            self.read_engine = make_engine(url, immediate=False)
            self.read_sessionmaker = sessionmaker(self.read_engine, expire_on_commit=False)
        else:
            self.read_engine, self.read_sessionmaker = self.engine, self.sessionmaker

    def alembic_config(self, connection=None):
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", MIGRATIONS)
        config.attributes["connection"] = connection
        return config

    def migrate(self) -> None:
        """Bring the schema to the latest migration (several instances may race: PostgreSQL
        serialises them with an advisory lock, SQLite with its write lock)."""
        if self.schema_is_current():
            return
        from alembic import command

        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
            command.upgrade(self.alembic_config(connection), "head")

    create_all = migrate

    def schema_is_current(self) -> bool:
        from .migrations import HEAD

        try:
            with self.read_engine.connect() as connection:
                return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
        except SQLAlchemyError:  # no schema yet
            return False

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: commit on success, roll back on any error."""
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (never blocks behind writers on SQLite)."""
        session = self.read_sessionmaker()
        try:
            yield session
            session.rollback()
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


def init_app(app: Flask) -> None:
    database = Database(app.config["SETTINGS"].database_url)
    database.create_all()
    app.extensions["scormproxy.db"] = database


def get_db() -> Database:
    from flask import current_app

    return current_app.extensions["scormproxy.db"]
