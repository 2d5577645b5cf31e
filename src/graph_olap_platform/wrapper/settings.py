"""Wrapper settings, read from ``GRAPH_OLAP_WRAPPER_*`` environment variables.

The launcher sets the variables of docs/instances.md. Without a control-plane URL the wrapper runs
**standalone** (tests, benchmarks): the mapping comes from ``SNAPSHOT_PATH`` (a snapshot directory)
and optionally ``MAPPING_FILE``, and callers are not authorised.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

EngineName = Literal["ladybug", "ryugraph", "falkordb"]


class WrapperSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GRAPH_OLAP_WRAPPER_", extra="ignore")

    engine: EngineName = "ladybug"
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    instance_id: int | None = None
    url_slug: str | None = None
    instance_url: str | None = None
    """The URL reported to the control plane; ``http://<host>:<port>`` when unset."""

    control_plane_url: str | None = None
    internal_api_key: str | None = None
    control_plane_timeout_seconds: float = Field(10.0, gt=0)

    data_dir: Path = Field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="graph-wrapper-")))
    threads: int = Field(2, ge=1, le=256)
    max_rows: int = Field(100_000, ge=1)
    query_workers: int = Field(8, ge=1, le=256)
    """Worker threads that run engine calls (concurrent queries)."""

    # Standalone mode
    snapshot_path: Path | None = None
    mapping_file: Path | None = None
    owner_username: str | None = None

    auth_cache_seconds: float = Field(30.0, ge=0)
    activity_min_interval_seconds: float = Field(1.0, ge=0)
    """Activity reports are coalesced to at most one per interval (0: one per query)."""
    metrics_interval_seconds: float = Field(60.0, ge=0)
    """How often memory and disk usage are reported (0: never)."""
    orphan_timeout_seconds: float = Field(900.0, ge=0)
    """Stop once the control plane has been unreachable this long (0: never). Wrappers outlive a
    control-plane restart (it re-adopts them), but not a control plane that is gone for good:
    nothing would expire them otherwise."""
    log_level: str = "info"

    @field_validator("data_dir", "snapshot_path", "mapping_file")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @field_validator("control_plane_url")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.rstrip("/") or None if value else None

    @property
    def standalone(self) -> bool:
        return self.control_plane_url is None

    @property
    def resolved_instance_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return self.instance_url or f"http://{host}:{self.port}"
