"""Compiled algorithms in a child process: results, errors, crashes, and a cancel that kills."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pyarrow as pa
import pytest

from graph_olap_platform.wrapper.algorithms import native
from graph_olap_platform.wrapper.algorithms.base import AlgorithmError, Cancelled, CancelToken
from graph_olap_platform.wrapper.algorithms.compute_process import run_in_child
from graph_olap_platform.wrapper.algorithms.graph_arrays import check_weights
from graph_olap_platform.wrapper.algorithms.native import RunOptions
from graph_olap_platform.wrapper.engines.base import GraphView


def test_a_result_comes_back_like_in_process() -> None:
    rng = np.random.default_rng(2)
    view = GraphView(["N"], [pa.array(np.arange(500))], rng.integers(0, 500, 3000),
                     rng.integers(0, 500, 3000))  # fmt: skip
    params = {"resolution": 1.0, "seed": 42}
    child = run_in_child(native.compute, "louvain", view, params, RunOptions(), token=CancelToken())
    here = native.compute("louvain", view, params, RunOptions())
    assert np.array_equal(child.values, here.values) and child.summary == here.summary


def test_errors_keep_their_code_and_other_failures_are_algorithm_failed() -> None:
    with pytest.raises(AlgorithmError) as invalid:
        run_in_child(check_weights, np.array([-1.0]), "louvain", token=CancelToken())
    assert invalid.value.code == "VALIDATION_FAILED" and invalid.value.details
    with pytest.raises(AlgorithmError) as failed:
        run_in_child(int, "x", token=CancelToken())
    assert failed.value.code == "ALGORITHM_FAILED" and "ValueError" in failed.value.message
    with pytest.raises(AlgorithmError) as crashed:
        run_in_child(os._exit, 3, token=CancelToken())
    assert "exit code 3" in crashed.value.message


def test_a_cancel_kills_the_child() -> None:
    token = CancelToken()
    threading.Timer(0.3, token.cancel, ("timeout",)).start()
    started = time.monotonic()
    with pytest.raises(Cancelled, match="timeout"):
        run_in_child(time.sleep, 60, token=token)
    assert time.monotonic() - started < 3
    with pytest.raises(Cancelled):
        run_in_child(time.sleep, 60, token=token)  # already cancelled: no child at all
