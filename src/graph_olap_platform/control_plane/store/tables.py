"""SQLAlchemy 2 table models of the control-plane store (SQLite or PostgreSQL).

Schema changes go through Alembic migrations in ``migrations/versions``; these classes must
match the latest migration (a test checks that they do).

Every table with an integer primary key uses SQLite ``AUTOINCREMENT`` (``NEVER_REUSE_IDS``), so
the id of a deleted row is never handed out again; PostgreSQL sequences never reuse ids anyway.
SQLite reflection does not see ``AUTOINCREMENT``: a migration that rebuilds one of these tables
in batch mode must pass ``table_kwargs={"sqlite_autoincrement": True}`` or it drops it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored as UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Table options of every table with an integer primary key (see the module docstring).
NEVER_REUSE_IDS: dict[str, Any] = {"sqlite_autoincrement": True}


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class User(Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(255), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="analyst")
    role_changed_at: Mapped[datetime | None]
    role_changed_by: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]


class ApiKey(Base):
    """An API key; only its SHA-256 is stored, the key itself is shown once at creation."""

    __tablename__ = "api_keys"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(
        ForeignKey("users.username", ondelete="CASCADE"), index=True
    )
    name: Mapped[str | None] = mapped_column(String(255))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class MappingRow(Base):
    __tablename__ = "mappings"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_username: Mapped[str] = mapped_column(ForeignKey("users.username"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    ttl: Mapped[str | None] = mapped_column(String(64))
    inactivity_timeout: Mapped[str | None] = mapped_column(String(64))
    last_used_at: Mapped[datetime | None]

    versions: Mapped[list[MappingVersionRow]] = relationship(
        back_populates="mapping",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="MappingVersionRow.version",
    )


class MappingVersionRow(Base):
    __tablename__ = "mapping_versions"

    mapping_id: Mapped[int] = mapped_column(
        ForeignKey("mappings.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    change_description: Mapped[str | None] = mapped_column(Text)
    node_definitions: Mapped[list[Any]]
    edge_definitions: Mapped[list[Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.username"))

    mapping: Mapped[MappingRow] = relationship(back_populates="versions")


class SnapshotRow(Base):
    """A mapping version exported to Parquet (written by the snapshot workflow)."""

    __tablename__ = "snapshots"
    __table_args__ = (
        ForeignKeyConstraint(
            ["mapping_id", "mapping_version"],
            ["mapping_versions.mapping_id", "mapping_versions.version"],
        ),
        Index("ix_snapshots_mapping", "mapping_id", "mapping_version"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mapping_id: Mapped[int] = mapped_column(Integer)
    mapping_version: Mapped[int] = mapped_column(Integer)
    owner_username: Mapped[str] = mapped_column(ForeignKey("users.username"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    gcs_path: Mapped[str | None] = mapped_column(Text)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    node_counts: Mapped[dict[str, Any] | None]
    edge_counts: Mapped[dict[str, Any] | None]
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    progress: Mapped[dict[str, Any] | None]
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    ttl: Mapped[str | None] = mapped_column(String(64))
    inactivity_timeout: Mapped[str | None] = mapped_column(String(64))
    last_used_at: Mapped[datetime | None]


class InstanceRow(Base):
    """A running (or starting, or failed) graph instance."""

    __tablename__ = "instances"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"), index=True)
    pending_snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"))
    owner_username: Mapped[str] = mapped_column(ForeignKey("users.username"), index=True)
    wrapper_type: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    url_slug: Mapped[str] = mapped_column(String(36), unique=True)
    instance_url: Mapped[str | None] = mapped_column(Text)
    pod_name: Mapped[str | None] = mapped_column(String(255))
    pod_ip: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), index=True)
    progress: Mapped[dict[str, Any] | None]
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    stack_trace: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime | None]
    ttl: Mapped[str | None] = mapped_column(String(64))
    inactivity_timeout: Mapped[str | None] = mapped_column(String(64))
    cpu_cores: Mapped[int] = mapped_column(Integer, default=2)
    memory_gb: Mapped[int | None] = mapped_column(Integer)
    memory_usage_bytes: Mapped[int | None] = mapped_column(BigInteger)
    disk_usage_bytes: Mapped[int | None] = mapped_column(BigInteger)
    node_count: Mapped[int | None] = mapped_column(BigInteger)
    edge_count: Mapped[int | None] = mapped_column(BigInteger)
    failed_phase: Mapped[str | None] = mapped_column(String(64))


class ExportJobRow(Base):
    """Export of one node or edge definition of a snapshot to Parquet."""

    __tablename__ = "export_jobs"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("snapshots.id", ondelete="CASCADE"), index=True
    )
    job_type: Mapped[str] = mapped_column(String(8))  # node | edge
    entity_name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    sql: Mapped[str] = mapped_column(Text)
    column_names: Mapped[list[Any]]
    gcs_path: Mapped[str] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(255))
    claimed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    row_count: Mapped[int | None] = mapped_column(BigInteger)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    columns: Mapped[list[Any] | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class InstanceEventRow(Base):
    __tablename__ = "instance_events"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("instances.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
