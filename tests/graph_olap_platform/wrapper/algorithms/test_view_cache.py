"""The last graph view is reused for the same selection, and nothing can change it."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from graph_olap_platform.wrapper.algorithms.view_cache import ViewCache
from graph_olap_platform.wrapper.engines.base import GraphView


def _view(weighted: bool = False) -> GraphView:
    return GraphView(
        labels=["Person"],
        keys=[pa.array(["a", "b", "c"])],
        src=np.array([0, 1], dtype=np.int64),
        dst=np.array([1, 2], dtype=np.int64),
        rel_types=["KNOWS"],
        weights=np.array([1.0, 2.0]) if weighted else None,
    )


def test_same_selection_is_extracted_once() -> None:
    cache = ViewCache()
    extracted: list[GraphView] = []

    def extract() -> GraphView:
        extracted.append(_view())
        return extracted[-1]

    first = cache.get(["Person"], ["KNOWS"], None, extract)
    again = cache.get(["Person"], ["KNOWS"], None, extract)
    assert again is first and len(extracted) == 1 and cache.hits == 1


@pytest.mark.parametrize(
    ("labels", "types", "weight"),
    [(["Person", "City"], ["KNOWS"], None), (["Person"], [], None), (["Person"], ["KNOWS"], "w")],
)
def test_another_selection_is_extracted_and_replaces_the_last(
    labels: list[str], types: list[str], weight: str | None
) -> None:
    cache = ViewCache()
    cache.get(["Person"], ["KNOWS"], None, _view)
    other = cache.get(labels, types, weight, lambda: _view(weighted=True))
    assert cache.hits == 0
    assert cache.get(labels, types, weight, _view) is other  # the last one is kept
    assert cache.get(["Person"], ["KNOWS"], None, _view) is not other


def test_cached_arrays_are_read_only() -> None:
    cache = ViewCache()
    view = cache.get(["Person"], ["KNOWS"], "w", lambda: _view(weighted=True))
    assert view.weights is not None
    for array in (view.src, view.dst, view.weights):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 5


def test_a_failed_extraction_caches_nothing() -> None:
    cache = ViewCache()

    def broken() -> GraphView:
        raise RuntimeError("engine gone")

    with pytest.raises(RuntimeError):
        cache.get(["Person"], ["KNOWS"], None, broken)
    view = cache.get(["Person"], ["KNOWS"], None, _view)
    assert cache.hits == 0 and view.num_edges == 2
