"""What a finished run leaves behind: a node property on every label of its graph, or values.

Writing is all or nothing across labels: the engine writes one label's values at once (all rows
or none), and when a later label fails, or the run is cancelled or times out while writing, the
property is dropped again from the labels this run wrote, so no label keeps values of a run that
did not complete. A property an earlier run wrote is dropped
first, so it holds this run's values only (nodes outside a ``subgraph_query`` read null, not a
previous run's value), whatever type it had before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa

from graph_olap_platform.wrapper.algorithms.base import (
    AlgorithmError,
    AlgorithmResult,
    Cancelled,
    CancelToken,
)
from graph_olap_platform.wrapper.algorithms.selection import check_result_property
from graph_olap_platform.wrapper.engines.base import Engine, EngineError, GraphView
from graph_olap_platform.wrapper.state import WrapperState

log = logging.getLogger("graph_olap_platform.wrapper.algorithms")

MAX_RETURNED_VALUES = 10_000
_ARROW_TYPES = {"DOUBLE": pa.float64(), "INT64": pa.int64(), "BOOL": pa.bool_()}


def no_value_mask(result: AlgorithmResult) -> np.ndarray:
    """True where a node has no value: NaN in a float array, ``missing`` in an integer one."""
    assert result.values is not None
    values = np.asarray(result.values)
    mask = np.zeros(len(values), dtype=bool)
    if values.dtype.kind == "f":
        mask |= np.isnan(values)
    if result.missing is not None:
        mask |= np.asarray(result.missing, dtype=bool)
    return mask


def summarise(result: AlgorithmResult) -> dict[str, Any]:
    """min/max/mean of node values, or community_count and the largest community, plus what
    the algorithm reported itself (modularity, iterations...)."""
    assert result.values is not None
    values = np.asarray(result.values)
    present = values[~no_value_mask(result)]
    summary: dict[str, Any] = {"count": int(present.size)}
    if result.kind == "communities":
        sizes = np.unique(present, return_counts=True)[1] if present.size else np.zeros(0)
        summary["community_count"] = int(sizes.size)
        summary["largest_community_size"] = int(sizes.max()) if sizes.size else 0
    elif present.size:
        summary.update(
            min=present.min().item(), max=present.max().item(), mean=float(present.mean())
        )
    else:
        summary.update(min=None, max=None, mean=None)
    summary.update(result.summary)
    return summary


def arrow_values(result: AlgorithmResult) -> pa.Array:
    assert result.values is not None and result.value_type is not None
    arrow_type = _ARROW_TYPES[result.value_type]
    values = np.asarray(result.values)
    mask = no_value_mask(result)
    if result.value_type != "DOUBLE":
        values = np.where(mask, 0, values)  # masked slots must still cast cleanly
    return pa.array(values.astype(arrow_type.to_pandas_dtype()), arrow_type, mask=mask)


def returned_values(view: GraphView, values: pa.Array) -> dict[str, Any]:
    """``{"values": {_id: value}, "values_truncated"}`` for the first 10 000 nodes."""
    out: dict[str, Any] = {}
    offsets = view.offsets
    for i, (label, keys) in enumerate(zip(view.labels, view.keys, strict=True)):
        room = MAX_RETURNED_VALUES - len(out)
        if room <= 0:
            break
        start = int(offsets[i])
        taken = min(room, len(keys))
        slice_values = values.slice(start, taken).to_pylist()
        out.update(
            (f"{label}_{key}", value)
            for key, value in zip(keys.slice(0, taken).to_pylist(), slice_values, strict=True)
        )
    return {"values": out, "values_truncated": view.num_nodes > len(out)}


class PropertyWriter:
    """Writes one result property on every label of a view and records it in the state."""

    def __init__(self, engine: Engine, state: WrapperState) -> None:
        self.engine = engine
        self.state = state

    def _record(self, label: str, name: str, value_type: str | None) -> None:
        current = {k: dict(v) for k, v in self.state.algorithm_properties.items()}
        names = current.setdefault(label, {})
        if value_type is None:
            names.pop(name, None)
        else:
            names[name] = value_type
        self.state.algorithm_properties = {k: v for k, v in current.items() if v}

    def write(
        self,
        view: GraphView,
        name: str,
        result: AlgorithmResult,
        progress: Callable[[str], None] = lambda _message: None,
        token: CancelToken | None = None,
    ) -> dict[str, int]:
        """Nodes updated per label. A failure raises ``AlgorithmError(DATABASE_ERROR)`` and a
        cancel seen between two labels (or after the last) ``Cancelled``, both after rolling
        back what this run wrote."""
        assert result.value_type is not None
        if self.state.mapping is not None:  # a subgraph may reach labels the request did not name
            check_result_property(self.state.mapping, view.labels, name)
        values = arrow_values(result)
        written: list[str] = []
        updated: dict[str, int] = {}
        label = ""
        try:
            for label, keys in zip(view.labels, view.keys, strict=True):
                if token is not None:
                    token.check()
                progress(f"Writing {name} to {len(keys)} {label} nodes")
                if name in self.state.algorithm_properties.get(label, {}):
                    self.engine.drop_node_property(label, name)
                    self._record(label, name, None)
                piece = values.slice(view.label_slice(label).start, len(keys))
                updated[label] = self.engine.write_node_property(
                    label, name, result.value_type, keys, piece
                )
                written.append(label)
                self._record(label, name, result.value_type)
            if token is not None:
                token.check()
        except Cancelled:
            self._roll_back(written, name)
            raise
        except Exception as exc:
            self._roll_back(written, name)
            message = exc.message if isinstance(exc, EngineError) else str(exc)
            raise AlgorithmError(
                500,
                "DATABASE_ERROR",
                f"Writing {name} to {label} failed, nothing was kept: {message}",
                {"label": label, "property": name},
            ) from exc
        return updated

    def _roll_back(self, labels: list[str], name: str) -> None:
        for label in labels:
            try:
                self.engine.drop_node_property(label, name)
            except Exception:  # keep rolling back the other labels; the property stays listed
                log.exception("dropping %s.%s after a failed write failed", label, name)
            else:
                self._record(label, name, None)
