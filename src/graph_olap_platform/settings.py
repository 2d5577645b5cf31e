"""Platform settings, read from ``GRAPH_OLAP_*`` environment variables (pydantic-settings)."""

from __future__ import annotations

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

    mapping_default_ttl: str | None = None
    mapping_default_inactivity: str | None = "P30D"
    mapping_max_ttl: str = "P365D"

    @field_validator("mapping_default_ttl", "mapping_default_inactivity", "mapping_max_ttl")
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
            default_ttl=self.mapping_default_ttl,
            default_inactivity=self.mapping_default_inactivity,
            max_ttl=self.mapping_max_ttl,
        )
