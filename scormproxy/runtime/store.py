"""The rows a commit reads and writes (attempt, SCO state, outbox), as a few SQLAlchemy Core statements.

The commit path is the service's busiest write: it skips the ORM's unit of work and
runs statements built once at import, so each commit is one locking SELECT and one
write in the common case. SQLAlchemy's exceptions stay in here.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from ..db import Database
from ..errors import ScormProxyError
from ..models import Attempt, ScoState
from ..reporting.outbox import insert_result

log = logging.getLogger(__name__)

_ATTEMPTS = Attempt.__table__
_SCOS = ScoState.__table__
_ATTEMPT_COLUMNS = tuple(_ATTEMPTS.c[name] for name in
                         ("id", "user_id", "learning_id", "preview", "started", "status", "score"))
_SCO_FIELDS = ("seq", "cmi_json", "sessions", "total_time", "last_exit", "session_open")
_SCO_COLUMNS = (_SCOS.c.id, *(_SCOS.c[name] for name in _SCO_FIELDS))

# Every writer of an attempt's SCO states holds the attempt's row lock first, so commits
# of one attempt run one at a time and each sees the last one's rows. Both rows are locked
# in one statement, so a commit that waited re-reads the SCO row the other one wrote (with
# the attempt alone locked, PostgreSQL would hand back the row as it was before the wait);
# the attempt comes first because PostgreSQL locks in the order FOR UPDATE OF names them,
# and the others lock attempt-then-SCO too. The outer-join form cannot lock a missing row,
# so a SCO's first commit takes the attempt lock alone and then reads its row afresh.
_LOCK_BOTH = (select(*_ATTEMPT_COLUMNS, *_SCO_COLUMNS)
              .select_from(_ATTEMPTS.join(_SCOS, _SCOS.c.attempt_id == _ATTEMPTS.c.id))
              .where(_ATTEMPTS.c.id == bindparam("attempt_id"), _SCOS.c.item_id == bindparam("item_id"))
              .with_for_update(of=(_ATTEMPTS, _SCOS)))
_LOCK_ATTEMPT = select(*_ATTEMPT_COLUMNS).where(_ATTEMPTS.c.id == bindparam("attempt_id")).with_for_update()
_SCO = select(*_SCO_COLUMNS).where(_SCOS.c.attempt_id == bindparam("attempt_id"),
                                   _SCOS.c.item_id == bindparam("item_id"))
_SCO_LOCKED = _SCO.with_for_update()
_OTHER_SCOS = select(_SCOS.c.item_id, _SCOS.c.cmi_json, _SCOS.c.last_exit, _SCOS.c.session_open).where(
    _SCOS.c.attempt_id == bindparam("attempt_id"), _SCOS.c.item_id != bindparam("item_id"))
_UPDATE_SCO = update(_SCOS).where(_SCOS.c.id == bindparam("row_id"))
_INSERT_SCO = insert(_SCOS)
_UPDATE_ATTEMPT = update(_ATTEMPTS).where(_ATTEMPTS.c.id == bindparam("row_id"))


class RuntimeStoreError(ScormProxyError):
    """The database failed during a run-time read or write; nothing of it was stored."""

    code = "runtime.store_unavailable"
    http_status = 503


@dataclass
class AttemptRow:
    id: str
    user_id: str
    learning_id: int
    preview: bool
    started: bool
    status: str
    score: int | None


@dataclass
class ScoRow:
    """One SCO's stored state; `id` is None until the row exists."""
    id: int | None = None
    seq: int = 0
    cmi_json: str = "{}"
    sessions: int = 0
    total_time: str | None = None
    last_exit: str | None = None
    session_open: bool = False

    @property
    def suspended(self) -> bool:
        return _suspended(self.last_exit, self.session_open)


@dataclass(frozen=True)
class OtherSco:
    item_id: str
    cmi_json: str
    suspended: bool


@contextmanager
def transaction(db: Database) -> Iterator[Connection]:
    """One write transaction on the connection it yields: committed on success, rolled back on any error."""
    try:
        with db.engine.begin() as connection:
            yield connection
    except SQLAlchemyError as exc:
        log.error("run-time transaction failed: %s", type(exc).__name__)
        raise RuntimeStoreError("the run-time data could not be stored; try again") from None


def read_sco(db: Database, attempt_id: str, item_id: str) -> ScoRow | None:
    """A SCO's stored state, outside any write (the state endpoint)."""
    try:
        with db.read_engine.connect() as connection:
            row = connection.execute(_SCO, {"attempt_id": attempt_id, "item_id": item_id}).first()
    except SQLAlchemyError as exc:
        log.error("run-time read failed: %s", type(exc).__name__)
        raise RuntimeStoreError("the run-time data could not be read; try again") from None
    return _sco_row(row, 0) if row is not None else None


def lock_for_commit(connection: Connection, attempt_id: str, item_id: str) -> tuple[AttemptRow | None, ScoRow]:
    """The attempt (None when there is none) and the SCO's state, both locked until the transaction ends."""
    keys = {"attempt_id": attempt_id, "item_id": item_id}
    row = connection.execute(_LOCK_BOTH, keys).first()
    if row is not None:
        return _attempt_row(row), _sco_row(row, len(_ATTEMPT_COLUMNS))
    row = connection.execute(_LOCK_ATTEMPT, keys).first()
    if row is None:
        return None, ScoRow()
    sco = connection.execute(_SCO_LOCKED, keys).first()
    return _attempt_row(row), (_sco_row(sco, 0) if sco is not None else ScoRow())


def save_sco(connection: Connection, attempt_id: str, item_id: str, sco: ScoRow) -> None:
    values = {name: getattr(sco, name) for name in _SCO_FIELDS}
    if sco.id is None:
        sco.id = connection.execute(_INSERT_SCO, {"attempt_id": attempt_id, "item_id": item_id,
                                                  **values}).inserted_primary_key[0]
    else:
        connection.execute(_UPDATE_SCO, {"row_id": sco.id, **values})


def other_scos(connection: Connection, attempt_id: str, item_id: str) -> list[OtherSco]:
    """Every other SCO state of the attempt (the caller holds the attempt's lock)."""
    return [OtherSco(row.item_id, row.cmi_json, _suspended(row.last_exit, row.session_open))
            for row in connection.execute(_OTHER_SCOS, {"attempt_id": attempt_id, "item_id": item_id})]


def save_attempt(connection: Connection, attempt: AttemptRow, *fields: str) -> None:
    connection.execute(_UPDATE_ATTEMPT, {"row_id": attempt.id, **{name: getattr(attempt, name) for name in fields}})


def queue_result(connection: Connection, attempt: AttemptRow, action: str, score: int | None) -> None:
    insert_result(connection, attempt_id=attempt.id, user_id=attempt.user_id, learning_id=attempt.learning_id,
                  action=action, score=score)


def _suspended(last_exit: str | None, session_open: bool) -> bool:
    """A SCO left with exit "suspend" whose session has ended: it resumes where it stopped."""
    return last_exit == "suspend" and not session_open


def _attempt_row(row) -> AttemptRow:
    return AttemptRow(*row[:len(_ATTEMPT_COLUMNS)])


def _sco_row(row, start: int) -> ScoRow:
    return ScoRow(*row[start:start + len(_SCO_COLUMNS)])
