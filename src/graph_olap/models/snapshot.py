"""Snapshot wire models: a mapping version exported to Parquet."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from graph_olap.models.common import WireModel


class Snapshot(WireModel):
    id: int
    mapping_id: int
    mapping_name: str | None = None
    mapping_version: int
    owner_username: str
    name: str
    description: str | None = None
    gcs_path: str | None = None
    size_bytes: int | None = None
    node_counts: dict[str, int] | None = None
    edge_counts: dict[str, int] | None = None
    status: str
    progress: dict[str, Any] | None = None
    error_message: str | None = None
    created_at: datetime
    updated_at: datetime
    ttl: str | None = None
    inactivity_timeout: str | None = None
    last_used_at: datetime | None = None
    instance_count: int = 0

    def _repr_html_(self) -> str:
        from graph_olap.jupyter.reprs import (
            snapshot_html,
        )  # lazy: the models are shared with the server

        return snapshot_html(self)
