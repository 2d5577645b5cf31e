"""Platform settings, read from ``GRAPH_OLAP_*`` environment variables (pydantic-settings)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph_olap.durations import parse_duration


@dataclass(frozen=True)
class LifecycleDefaults:
    """Default and maximum lifetimes of one resource kind (ISO 8601 durations, None = never)."""

    default_ttl: str | None
    default_inactivity: str | None
    max_ttl: str


class Settings(BaseSettings):
    """Everything the control plane needs; injected into the app factory.

    ``GRAPH_OLAP_DATA_DIR`` holds the SQLite store, logs and (later) snapshots and instances;
    ``GRAPH_OLAP_DATABASE_URL`` switches the store to PostgreSQL.
    """

    model_config = SettingsConfigDict(env_prefix="GRAPH_OLAP_", extra="ignore")

    data_dir: Path = Field(default_factory=lambda: Path.home() / ".graph-olap")
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    dev_mode: bool = False
    internal_api_key: str | None = None

    # Warehouse (default: the bundled DuckDB demo warehouse in the data dir) and snapshots.
    warehouse_url: str | None = None
    # Check each definition's SQL against the warehouse (it compiles; columns and types fit).
    validate_sql_against_warehouse: bool = True
    snapshot_root: Path | None = None

    # Instances: engine default, limits, and the URL wrappers use to call back.
    default_wrapper_type: str = "ladybug"
    control_plane_url: str | None = None
    per_analyst_limit: int = 5
    cluster_total_limit: int = 50
    instance_startup_timeout_seconds: float = 300
    wrapper_max_rows: int = 100_000

    mapping_default_ttl: str | None = None
    mapping_default_inactivity: str | None = "P30D"
    mapping_max_ttl: str = "P365D"
    snapshot_default_ttl: str | None = "P7D"
    snapshot_default_inactivity: str | None = "P3D"
    snapshot_max_ttl: str = "P30D"
    instance_default_ttl: str | None = "PT24H"
    instance_default_inactivity: str | None = "PT4H"
    instance_max_ttl: str = "P7D"

    # Background jobs (seconds; 0 disables a job).
    export_workers: int = 2
    orchestration_interval_seconds: float = 1.0
    reconciliation_job_interval_seconds: float = 10.0
    lifecycle_job_interval_seconds: float = 60.0

    @field_validator(
        "mapping_default_ttl",
        "mapping_default_inactivity",
        "mapping_max_ttl",
        "snapshot_default_ttl",
        "snapshot_default_inactivity",
        "snapshot_max_ttl",
        "instance_default_ttl",
        "instance_default_inactivity",
        "instance_max_ttl",
    )
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @cached_property
    def resolved_database_url(self) -> str:
        """The store URL: PostgreSQL when configured, else SQLite inside the data dir."""
        if self.database_url:
            url = self.database_url
            # Plain postgresql:// URLs mean the psycopg 3 driver we ship.
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        return f"sqlite:///{self.data_dir / 'graph-olap.db'}"

    @property
    def mapping_lifecycle(self) -> LifecycleDefaults:
        return LifecycleDefaults(
            self.mapping_default_ttl, self.mapping_default_inactivity, self.mapping_max_ttl
        )

    @property
    def snapshot_lifecycle(self) -> LifecycleDefaults:
        return LifecycleDefaults(
            self.snapshot_default_ttl, self.snapshot_default_inactivity, self.snapshot_max_ttl
        )

    @property
    def instance_lifecycle(self) -> LifecycleDefaults:
        return LifecycleDefaults(
            self.instance_default_ttl, self.instance_default_inactivity, self.instance_max_ttl
        )

    @property
    def resolved_warehouse_url(self) -> str:
        return self.warehouse_url or f"duckdb:///{self.data_dir / 'warehouse.duckdb'}"

    @property
    def uses_demo_warehouse(self) -> bool:
        return self.warehouse_url is None

    @property
    def resolved_snapshot_root(self) -> Path:
        return (self.snapshot_root or self.data_dir / "snapshots").expanduser()

    @property
    def resolved_control_plane_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return self.control_plane_url or f"http://{host}:{self.port}"

    def resolved_internal_api_key(self) -> str:
        """The key wrappers send; generated once and kept in the data dir when not configured."""
        if self.internal_api_key:
            return self.internal_api_key
        path = self.data_dir / "internal_api_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process created it first
                return path.read_text().strip()
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(32))
        return path.read_text().strip()
