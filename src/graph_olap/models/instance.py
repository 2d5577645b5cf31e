"""Instance wire models: graph instances, their progress and events, and query results."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from graph_olap.models.common import WireModel


class WrapperType(StrEnum):
    """The graph engine behind an instance."""

    LADYBUG = "ladybug"
    RYUGRAPH = "ryugraph"
    FALKORDB = "falkordb"


class InstanceStatus(StrEnum):
    WAITING_FOR_SNAPSHOT = "waiting_for_snapshot"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"
    FAILED = "failed"


class Instance(WireModel):
    """A graph instance: one wrapper process serving one engine loaded from a snapshot."""

    id: int
    name: str
    description: str | None = None
    owner_username: str
    snapshot_id: int | None = None
    pending_snapshot_id: int | None = None
    snapshot_name: str | None = None
    mapping_id: int | None = None
    mapping_name: str | None = None
    mapping_version: int | None = None
    wrapper_type: str
    url_slug: str | None = None
    instance_url: str | None = None
    pod_name: str | None = None
    status: str
    progress: dict[str, Any] | None = None
    error_code: str | None = None
    error_message: str | None = None
    stack_trace: str | None = None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    last_activity_at: datetime | None = None
    ttl: str | None = None
    inactivity_timeout: str | None = None
    expires_at: datetime | None = None
    cpu_cores: int = 2
    memory_gb: int | None = None
    memory_usage_bytes: int | None = None
    disk_usage_bytes: int | None = None
    node_count: int | None = None
    edge_count: int | None = None

    def _repr_html_(self) -> str:
        from graph_olap.jupyter.reprs import (
            instance_html,
        )  # lazy: the models are shared with the server

        return instance_html(self)


class ProgressStep(WireModel):
    name: str
    status: str
    type: str | None = None
    row_count: int | None = None
    completed_at: datetime | None = None
    error: str | None = None


class InstanceProgress(WireModel):
    """Startup progress; while waiting for its snapshot, the snapshot's export steps."""

    id: int
    status: str
    phase: str
    started_at: datetime | None = None
    ready_at: datetime | None = None
    startup_duration_seconds: float | None = None
    elapsed_seconds: float | None = None
    steps: list[ProgressStep] = Field(default_factory=list)
    completed_steps: int = 0
    total_steps: int = 0
    error_code: str | None = None
    error_message: str | None = None


class SnapshotProgress(WireModel):
    """Export progress of a snapshot: one step per node or edge definition."""

    id: int
    status: str
    phase: str
    started_at: datetime | None = None
    completed_at: datetime | None = None
    duration_seconds: float | None = None
    steps: list[ProgressStep] = Field(default_factory=list)
    completed_steps: int = 0
    total_steps: int = 0
    error_message: str | None = None


class InstanceEvent(WireModel):
    id: int
    event_type: str
    details: dict[str, Any] | None = None
    created_at: datetime


class UserInstanceStatus(WireModel):
    active_instances: int
    per_user_limit: int
    available_slots: int


class QueryResponse(WireModel):
    """A wrapper's JSON query answer (``POST /query``); values are tagged per the spec."""

    columns: list[str]
    column_types: list[str] = Field(default_factory=list)
    rows: list[list[Any]]
    row_count: int
    execution_time_ms: float
    truncated: bool = False


# Older wrappers (and the seed's model) name the lock's fields differently; read both.
_LEGACY_LOCK_KEYS = {
    "holder_username": "holder_name",
    "algorithm_name": "algorithm",
    "locked_at": "acquired_at",
}


class LockStatus(WireModel):
    """The instance's algorithm lock: ``GET /lock`` (``{"lock": ...}``) or a 409's ``details``.

    ``holder_name`` / ``algorithm`` are also read from the legacy ``holder_username`` /
    ``algorithm_name``; a record without ``locked`` (a 409's details) is locked when it names
    a holder, an algorithm or an execution.
    """

    locked: bool
    holder_id: str | None = None
    holder_name: str | None = None
    algorithm: str | None = None
    algorithm_type: str | None = None
    execution_id: str | None = None
    acquired_at: datetime | None = None
    duration_seconds: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _read_legacy_keys(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        for wrapper in ("data", "lock"):  # {"data": {"lock": {...}}} from the Ryugraph router
            inner = data.get(wrapper)
            if isinstance(inner, Mapping):
                data = inner
        out = dict(data)
        for legacy, name in _LEGACY_LOCK_KEYS.items():
            if legacy in out:
                value = out.pop(legacy)
                if out.get(name) is None:
                    out[name] = value
        if "locked" not in out:
            named = ("holder_id", "holder_name", "algorithm", "execution_id")
            out["locked"] = any(out.get(key) is not None for key in named)
        return out

    def _repr_html_(self) -> str:
        from graph_olap.jupyter.reprs import (
            lock_html,
        )  # lazy: the models are shared with the server

        return lock_html(self)


class NodeTable(WireModel):
    label: str
    primary_key: str
    primary_key_type: str
    properties: dict[str, str] = Field(default_factory=dict)
    # Properties written back by algorithms on this instance (name -> type); not in the mapping.
    algorithm_properties: dict[str, str] = Field(default_factory=dict)
    node_count: int | None = None


class EdgeTable(WireModel):
    type: str
    from_node: str
    to_node: str
    properties: dict[str, str] = Field(default_factory=dict)
    edge_count: int | None = None


class GraphSchema(WireModel):
    """The graph an instance serves: ``GET {instance_url}/schema``."""

    node_tables: list[NodeTable]
    edge_tables: list[EdgeTable]
    total_nodes: int = 0
    total_edges: int = 0
    # label -> {property name -> type} written back by algorithms since the instance started.
    algorithm_properties: dict[str, dict[str, str]] = Field(default_factory=dict)

    def _repr_html_(self) -> str:
        from graph_olap.jupyter.reprs import (
            schema_html,
        )  # lazy: the models are shared with the server

        return schema_html(self)
