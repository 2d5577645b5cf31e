"""Types shared by the native algorithms, the NetworkX bridge, executions and their routes.

The contract is docs/algorithms.md. In short: a request names the part of the graph to use
(labels, relationship types, an optional weight), the parameters, and where to write the result;
an algorithm gets a :class:`GraphView` and a :class:`CancelToken`, and returns an
:class:`AlgorithmResult`; the execution manager writes node values back and keeps the record.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

ResultKind = Literal[
    "node_values", "communities", "path", "scalar", "edge_predictions", "mapping", "unknown"
]
"""What an algorithm returned. ``node_values`` and ``communities`` are written back."""


class AlgorithmError(Exception):
    """A request or run that fails with an error envelope (status, code, message, details).

    Codes: ``ALGORITHM_NOT_FOUND`` (404), ``VALIDATION_FAILED`` (400; ``details`` has
    ``invalid_params`` and ``valid_params`` for parameter errors, ``field`` otherwise),
    ``RESOURCE_LOCKED`` (409), ``EXECUTION_NOT_FOUND`` (404), ``ALGORITHM_FAILED`` (500, a run
    that raised), ``ALGORITHM_TIMEOUT`` (a run past its timeout), ``DATABASE_ERROR`` (500).
    """

    def __init__(
        self, status_code: int, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details = details or {}


class Cancelled(Exception):
    """Raised inside a run when its execution was cancelled or timed out."""


@dataclass
class CancelToken:
    """Checked by long runs between steps (and by NetworkX through an async exception)."""

    event: threading.Event = field(default_factory=threading.Event)
    reason: str = "cancelled"  # or "timeout"

    def cancel(self, reason: str = "cancelled") -> None:
        self.reason = reason
        self.event.set()

    @property
    def cancelled(self) -> bool:
        return self.event.is_set()

    def check(self) -> None:
        if self.event.is_set():
            raise Cancelled(self.reason)


@dataclass
class GraphSelection:
    """The part of the graph an algorithm runs on, resolved against the instance's mapping.

    ``labels`` and ``rel_types`` are never empty after resolution: no ``node_label`` means every
    label; no relationship type means every type whose endpoints both lie in ``labels``.
    """

    labels: list[str]
    rel_types: list[str]
    directed: bool = True
    weight_property: str | None = None
    subgraph_query: str | None = None  # NetworkX only: a read query returning the subgraph


@dataclass
class AlgorithmRequest:
    """A validated start request (native or NetworkX)."""

    algorithm: str
    algorithm_type: Literal["native", "networkx"]
    selection: GraphSelection
    parameters: dict[str, Any]  # validated, with defaults filled in
    result_property: str | None  # None: results are returned, not written back
    write_back: bool
    timeout_ms: int


@dataclass
class AlgorithmResult:
    """What a run produced.

    - ``node_values`` / ``communities``: ``values`` holds one value per view node index
      (float64 or int64; NaN for "no value" in a float array, and ``missing`` marks nodes
      without a value in an integer array); ``value_type`` is the property type to write
      (DOUBLE, INT64 or BOOL); ``summary`` has ``min``/``max``/``mean`` or
      ``community_count`` (and ``modularity`` where computed).
    - every other kind: a JSON-ready ``payload`` (``{"path": [...], "length": n,
      "total_weight": w}``, ``{"value": x}``, ``{"predictions": [{source, target, score}]}``,
      ``{"mapping": {...}, "truncated": bool}``, ``{"repr": "..."}``).
    """

    kind: ResultKind
    values: np.ndarray | None = None
    value_type: str | None = None
    missing: np.ndarray | None = None  # bool mask over values, for integer results
    summary: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)
