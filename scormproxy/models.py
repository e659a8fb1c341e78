"""The database schema: every table the service keeps, in one place."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Package(Base):
    """One learning resource of the upstream site, and which version learners get."""
    __tablename__ = "packages"

    learning_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(20), default="failed")  # mirrored | failed
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    current_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class PackageVersion(Base):
    """An immutable mirrored version; its id is derived from the package's content."""
    __tablename__ = "package_versions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    learning_id: Mapped[int] = mapped_column(ForeignKey("packages.learning_id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="zip")  # zip | container
    scorm_version: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(1000), default="")
    zip_sha256: Mapped[str] = mapped_column(String(64))
    zip_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    file_count: Mapped[int] = mapped_column(Integer, default=0)
    total_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    manifest_json: Mapped[str] = mapped_column(Text)
    audit_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PackageFile(Base):
    """One file of a version; `blob` is the content-addressed storage key (stored once)."""
    __tablename__ = "package_files"
    __table_args__ = (UniqueConstraint("version_id", "path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[str] = mapped_column(ForeignKey("package_versions.id"), index=True)
    path: Mapped[str] = mapped_column(String(1024))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(200), default="application/octet-stream")


class LearnerSession(Base):
    """A learner's browser session, started by a signed launch."""
    __tablename__ = "learner_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(100), index=True)
    learning_id: Mapped[int] = mapped_column(Integer)
    attempt_id: Mapped[str] = mapped_column(String(64), index=True)
    preview: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UsedLaunch(Base):
    """Nonces of launch URLs already opened: a launch URL works once."""
    __tablename__ = "used_launches"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Attempt(Base):
    """One attempt per learner, course and package version; holds the course-level result."""
    __tablename__ = "attempts"
    __table_args__ = (UniqueConstraint("user_id", "learning_id", "version_id", "preview"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(100), index=True)
    learning_id: Mapped[int] = mapped_column(Integer, index=True)
    version_id: Mapped[str] = mapped_column(ForeignKey("package_versions.id"))
    preview: Mapped[bool] = mapped_column(Boolean, default=False)
    started: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="not attempted")
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class ScoState(Base):
    """The stored run-time data of one SCO within an attempt."""
    __tablename__ = "sco_states"
    __table_args__ = (UniqueConstraint("attempt_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("attempts.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(255))
    seq: Mapped[int] = mapped_column(Integer, default=0)
    cmi_json: Mapped[str] = mapped_column(Text, default="{}")
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    total_time: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_exit: Mapped[str | None] = mapped_column(String(20), nullable=True)
    session_open: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class OutboxRow(Base):
    """A course-result change waiting to be reported upstream (written with the change)."""
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    attempt_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[str] = mapped_column(String(100))
    learning_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))  # start | complete | fail
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending | delivered | parked
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Alarm(Base):
    """A condition an operator must see (e.g. Open eLMS refusing our token)."""
    __tablename__ = "alarms"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    message: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
