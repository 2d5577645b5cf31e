"""Algorithm executions on an instance (docs/algorithms.md, "Execution").

One record per run, as answered by ``POST /algo/{name}``, ``POST /networkx/{name}``,
``GET /algo/status/{id}`` and ``GET /algo/executions``. Older wrappers name some fields
differently (spec §6.8); the model reads both vocabularies and exposes the documented one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from graph_olap.models.common import WireModel

__all__ = ["TERMINAL_EXECUTION_STATUSES", "AlgorithmExecution", "ExecutionStatus"]


class ExecutionStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


TERMINAL_EXECUTION_STATUSES = frozenset(
    {ExecutionStatus.COMPLETED, ExecutionStatus.FAILED, ExecutionStatus.CANCELLED}
)

# Legacy name -> documented name, for values that only changed name.
_RENAMED = {
    "algorithm_name": "algorithm",
    "error_message": "error",
    "failed_at": "completed_at",
    "relationship_types": "edge_types",
}
# Legacy millisecond fields -> documented second fields.
_MILLISECONDS = {"duration_ms": "duration_seconds", "elapsed_ms": "elapsed_seconds"}
# Legacy single selectors -> documented lists.
_SINGULAR = {"node_label": "node_labels", "edge_type": "edge_types"}


class AlgorithmExecution(WireModel):
    """One algorithm run: its state, what it ran on and, once completed, its result.

    ``result`` is the server's result object: ``{"type": "node_values", "property_name",
    "property_type", "nodes_updated", "summary"}`` for a write-back run, ``values`` (``{_id:
    value}``) instead with ``write_back=False``, ``path`` / ``value`` / ``predictions`` /
    ``mapping`` for other result types. The properties below read the common parts.

    >>> run = conn.algo.pagerank(node_label="Customer")
    >>> run.nodes_updated, run.property_name, run.summary["max"]
    """

    execution_id: str
    algorithm: str
    algorithm_type: str | None = None
    status: str
    started_at: datetime | None = None
    completed_at: datetime | None = None
    duration_seconds: float | None = None
    elapsed_seconds: float | None = None
    user_name: str | None = None
    node_labels: list[str] = Field(default_factory=list)
    edge_types: list[str] = Field(default_factory=list)
    result_property: str | None = None
    write_back: bool = True
    parameters: dict[str, Any] = Field(default_factory=dict)
    progress: dict[str, Any] | None = None
    # Seconds spent per finished phase: {"extracting": ..., "computing": ..., "writing": ...}.
    phase_seconds: dict[str, float] = Field(default_factory=dict)
    result: dict[str, Any] | None = None
    error: str | None = None
    error_code: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _read_legacy_keys(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        inner = data.get("data")
        if isinstance(inner, Mapping) and "execution_id" not in data:
            data = inner  # the Ryugraph router's {"data": {...}} envelope
        out = dict(data)
        for legacy, name in _RENAMED.items():
            if legacy in out:
                value = out.pop(legacy)
                if out.get(name) is None:
                    out[name] = value
        for legacy, name in _MILLISECONDS.items():
            if legacy in out:
                value = out.pop(legacy)
                if name not in out and isinstance(value, int | float):
                    out[name] = value / 1000
        for single, plural in _SINGULAR.items():
            if single in out:
                value = out.pop(single)
                if plural not in out and value is not None:
                    out[plural] = value if isinstance(value, list) else [value]
        # FalkorDB reported the count at the top level; it belongs to the result.
        nodes_updated = out.pop("nodes_updated", None)
        if nodes_updated is not None:
            result = dict(out.get("result") or {})
            result.setdefault("nodes_updated", nodes_updated)
            if out.get("result_property") is not None:
                result.setdefault("property_name", out["result_property"])
            out["result"] = result
        return out

    @property
    def is_terminal(self) -> bool:
        """True once the run completed, failed or was cancelled (it will not change again)."""
        return self.status in TERMINAL_EXECUTION_STATUSES

    @property
    def nodes_updated(self) -> int | None:
        """How many nodes got the result property (None before completion or without one)."""
        value = (self.result or {}).get("nodes_updated")
        return value if isinstance(value, int) else None

    @property
    def property_name(self) -> str | None:
        """The node property holding the result (``result_property`` until the run completes)."""
        value = (self.result or {}).get("property_name")
        return value if isinstance(value, str) else self.result_property

    @property
    def summary(self) -> dict[str, Any]:
        """``min``/``max``/``mean`` of node values, or ``community_count`` (empty if none)."""
        value = (self.result or {}).get("summary")
        return dict(value) if isinstance(value, Mapping) else {}

    @property
    def values(self) -> dict[str, Any] | None:
        """``{_id: value}`` of a ``write_back=False`` run (at most 10 000 entries), else None."""
        value = (self.result or {}).get("values")
        return dict(value) if isinstance(value, Mapping) else None

    def __repr__(self) -> str:
        parts = [self.algorithm, self.status]
        if self.status == ExecutionStatus.COMPLETED and self.nodes_updated is not None:
            parts.append(f"{self.nodes_updated} nodes -> {self.property_name!r}")
        elif self.error:
            error = self.error if len(self.error) <= 80 else self.error[:77] + "..."
            parts.append(repr(error))
        seconds = self.duration_seconds if self.is_terminal else self.elapsed_seconds
        if seconds is not None:
            parts.append(f"{seconds:.2f} s")
        parts.append(f"id={self.execution_id}")
        return f"AlgorithmExecution({', '.join(parts)})"

    __str__ = __repr__

    def _repr_html_(self) -> str:
        from graph_olap.jupyter.reprs import (
            execution_html,
        )  # lazy: the models are shared with the server

        return execution_html(self)
