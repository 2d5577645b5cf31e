"""The last extracted ``GraphView``, kept for the next algorithm on the same selection.

An instance's graph never changes after loading: queries are read-only and write-back only
adds node properties, while a view holds node keys, relationships and relationship weights.
So a view stays valid for the instance's life, and an analyst running several algorithms on
the same labels and types pays the extraction once (FalkorDB: ~1.2 s per million
relationships; the Kuzu family: 0.03-0.2 s). One view is kept (the last one), so memory stays
bounded by the largest selection used; its arrays are made read-only, so no algorithm can
change what the next one reads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from graph_olap_platform.wrapper.algorithms.base import GraphSelection
from graph_olap_platform.wrapper.engines.base import Engine, GraphView

__all__ = ["ViewCache"]

Key = tuple[tuple[str, ...], tuple[str, ...], str | None]


class ViewCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: Key | None = None
        self._view: GraphView | None = None
        self.hits = 0  # for tests and logs

    def view(self, engine: Engine, selection: GraphSelection, *, timeout_ms: int) -> GraphView:
        """The graph of ``selection``: the cached one, else read from ``engine``."""
        return self.get(
            selection.labels,
            selection.rel_types,
            selection.weight_property,
            lambda: engine.graph_view(
                selection.labels,
                selection.rel_types,
                weight_property=selection.weight_property,
                timeout_ms=timeout_ms,
            ),
        )

    def get(
        self,
        labels: list[str],
        rel_types: list[str],
        weight_property: str | None,
        extract: Callable[[], GraphView],
    ) -> GraphView:
        """The cached view of this selection, else ``extract()`` (outside the lock: a slow
        extraction never blocks another selection's cache lookup)."""
        key: Key = (tuple(labels), tuple(rel_types), weight_property)
        with self._lock:
            if self._key == key and self._view is not None:
                self.hits += 1
                return self._view
        view = extract()
        for array in (view.src, view.dst, view.weights):
            if array is not None:
                array.flags.writeable = False
        with self._lock:
            self._key, self._view = key, view
        return view

    def clear(self) -> None:
        with self._lock:
            self._key, self._view = None, None
