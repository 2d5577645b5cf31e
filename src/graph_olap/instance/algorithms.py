"""Graph algorithms on a running instance: ``conn.algo`` (native) and ``conn.networkx``.

The wire contract is docs/algorithms.md. A run is started with ``POST /algo/{name}`` or
``POST /networkx/{name}`` (202, an execution), and followed with ``GET /algo/status/{id}``
until it is ``completed``, ``failed`` or ``cancelled``. Its result is written back as a node
property that the next query can read, unless ``write_back=False``.

Waiting (``wait=True``, the default) polls the status every 0.1 s at first, backing off to
once a second; a tqdm bar shows the phase in terminals (``show_progress``) and
``on_progress(execution)`` is called with every state read. The wait ends with the completed
execution, or raises:

- ``AlgorithmFailedError`` for a failed run (the instance's error in the message, the execution
  as ``.execution``), ``AlgorithmCancelledError`` (a subclass) for a cancelled one;
- ``AlgorithmTimeoutError`` when ``timeout`` passes: the run is cancelled on the instance first,
  so it does not keep the lock (the instance enforces the same limit, sent as ``timeout_ms``);
- ``KeyboardInterrupt`` (Ctrl-C, or the notebook's interrupt button): the run is cancelled on the
  instance, then the interrupt goes on.

Errors at the start come from the instance: ``ResourceLockedError`` (another algorithm is
running: ``.holder_name``, ``.algorithm``, ``.execution_id``, ``.acquired_at``),
``AlgorithmNotFoundError``, ``ValidationError`` (names the invalid and the valid parameters).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypedDict, Unpack
from urllib.parse import quote

from graph_olap._progress import ProgressReporter, poll
from graph_olap.exceptions import (
    AlgorithmCancelledError,
    AlgorithmFailedError,
    AlgorithmTimeoutError,
    ExecutionNotFoundError,
    GraphOLAPError,
)
from graph_olap.http import HTTPClient
from graph_olap.instance._envelope import unwrap
from graph_olap.models.algorithm import AlgorithmExecution, ExecutionStatus

__all__ = [
    "DEFAULT_ALGORITHM_TIMEOUT",
    "AlgorithmManager",
    "AlgorithmOptions",
    "ExecutionCallback",
    "NetworkXManager",
    "NetworkXOptions",
    "Selector",
]

logger = logging.getLogger(__name__)

ExecutionCallback = Callable[[AlgorithmExecution], None]
"""``on_progress``: called with the execution after every status read."""

Selector = str | Sequence[str] | None
"""One label / relationship type, several, or None for all."""

DEFAULT_ALGORITHM_TIMEOUT: Final = 300.0
"""Seconds; the instance enforces it too (``timeout_ms``)."""
MAX_POLL_INTERVAL: Final = 1.0
LONG_POLL_MS: Final = 1000  # how long one status read may wait for the run to end
CANCEL_TIMEOUT: Final = 10.0
# Margin for the HTTP read timeout of a synchronous algorithm over its own limit.
_TRANSPORT_MARGIN: Final = 10.0
_PROPERTY_NAME_MAX = 64

# The bar's steps: extraction, computation, write-back.
_PHASE_STEPS = {"pending": 0, "extracting": 0, "computing": 1, "writing": 2}
_TOTAL_STEPS = 3


class AlgorithmOptions(TypedDict, total=False):
    """Keyword options of every algorithm method; see :meth:`AlgorithmManager.run`."""

    edge_type: Selector
    weight_property: str | None
    params: Mapping[str, Any] | None
    timeout: float
    wait: bool
    write_back: bool
    on_progress: ExecutionCallback | None
    show_progress: bool | None


class NetworkXOptions(AlgorithmOptions, total=False):
    """:class:`AlgorithmOptions` plus NetworkX's ``directed`` and ``subgraph_query``."""

    directed: bool
    subgraph_query: str | None


class _WaitExpired(Exception):
    """Internal: the SDK's wait ran out (turned into AlgorithmTimeoutError after the cancel)."""


class _Algorithms:
    """What both managers share: the catalogue, starting, waiting, status and cancel."""

    _prefix: str  # "/algo" or "/networkx"
    _kind: str  # how the messages call them
    _directed: bool | None = None  # the default of ``directed`` (None: not sent)

    def __init__(self, http: HTTPClient, *, sleep: Callable[[float], None] | None = None) -> None:
        self._http = http
        self._sleep = sleep or time.sleep

    # -- catalogue --------------------------------------------------------------------------

    def algorithm_info(self, name: str) -> dict[str, Any]:
        """One catalogue entry: description, ``parameters`` (name, type, default), ``returns``.

        ``AlgorithmNotFoundError`` for an unknown name.
        """
        return dict(unwrap(self._http.get(f"{self._prefix}/algorithms/{_segment(name)}")))

    def _catalogue(self, **params: Any) -> Mapping[str, Any]:
        return unwrap(self._http.get(f"{self._prefix}/algorithms", params))

    # -- executions -------------------------------------------------------------------------

    def status(self, execution_id: str) -> AlgorithmExecution:
        """The current state of an execution (native or NetworkX).

        ``ExecutionNotFoundError`` when the instance does not know it (it keeps the last 100).
        """
        return self._status(execution_id)

    def _status(self, execution_id: str, *, wait_ms: int = 0) -> AlgorithmExecution:
        """``wait_ms``: the instance answers as soon as the run ends, or after that long."""
        path = f"/algo/status/{_segment(execution_id)}"
        if wait_ms <= 0:
            answer = self._http.get(path)
        else:
            timeout = self._http.config.timeout + wait_ms / 1000
            answer = self._http.get(path, params={"wait_ms": wait_ms}, timeout=timeout)
        return AlgorithmExecution.from_api_response(answer)

    def executions(self, limit: int = 20, status: str | None = None) -> list[AlgorithmExecution]:
        """The instance's latest executions, newest first (native and NetworkX).

        ``status`` keeps one state: ``"running"``, ``"completed"``, ``"failed"``, ...
        """
        if limit < 1:
            raise ValueError(f"limit must be 1 or more, got {limit!r}")
        answer = unwrap(
            self._http.get("/algo/executions", {"limit": limit, "status_filter": status})
        )
        return [AlgorithmExecution.from_api_response(item) for item in answer["executions"]]

    def cancel(self, execution_id: str) -> AlgorithmExecution:
        """Cancel a pending or running execution: nothing is written, the lock is released.

        Returns the execution's state after the cancel. ``ExecutionNotFoundError`` when it is
        unknown or already finished.
        """
        self._request_cancel(execution_id)
        return self.status(execution_id)

    def _request_cancel(self, execution_id: str) -> None:
        self._http.delete(f"/algo/executions/{_segment(execution_id)}", timeout=CANCEL_TIMEOUT)

    # -- running ----------------------------------------------------------------------------

    def _run(
        self,
        algorithm: str,
        node_label: Selector,
        property_name: str | None,
        *,
        edge_type: Selector = None,
        params: Mapping[str, Any] | None = None,
        timeout: float = DEFAULT_ALGORITHM_TIMEOUT,
        wait: bool = True,
        write_back: bool = True,
        weight_property: str | None = None,
        on_progress: ExecutionCallback | None = None,
        show_progress: bool | None = None,
        directed: bool | None = None,
        subgraph_query: str | None = None,
    ) -> AlgorithmExecution:
        if property_name is None and write_back:
            property_name = algorithm[:_PROPERTY_NAME_MAX]
        body = _start_body(
            node_label,
            edge_type,
            property_name,
            params,
            write_back=write_back,
            timeout=timeout,
            weight_property=weight_property,
            directed=self._directed if directed is None else directed,
            subgraph_query=subgraph_query,
        )
        answer = self._http.post(f"{self._prefix}/{_segment(algorithm)}", json=body)
        execution = AlgorithmExecution.from_api_response(answer)
        if not wait:
            return execution
        return self._wait(execution, timeout, on_progress, show_progress)

    def _convenience(
        self,
        algorithm: str,
        node_label: Selector,
        property_name: str | None,
        named: Mapping[str, Any],
        options: AlgorithmOptions,
    ) -> AlgorithmExecution:
        """Run with the method's named parameters; ``params=`` adds to or overrides them."""
        params = {key: value for key, value in named.items() if value is not None}
        options["params"] = {**params, **(options.get("params") or {})}
        return self._run(algorithm, node_label, property_name, **options)

    def _wait(
        self,
        execution: AlgorithmExecution,
        timeout: float,
        on_progress: ExecutionCallback | None,
        show_progress: bool | None,
    ) -> AlgorithmExecution:
        """Follow ``execution`` to its end; see the module docstring for the outcomes."""
        latest = execution
        unread = True  # the first check reports the start answer instead of reading again
        # Status reads are long polls: the instance answers the moment the run ends, so a
        # quick run is seen in milliseconds, not at the next poll. An instance that answers at
        # once (no long polling) gets the usual backing-off pauses between reads.
        long_polled = True

        def check() -> AlgorithmExecution | None:
            nonlocal latest, unread, long_polled
            if not unread:
                started = time.monotonic()
                latest = self._status(latest.execution_id, wait_ms=LONG_POLL_MS)
                long_polled = time.monotonic() - started >= 0.8 * LONG_POLL_MS / 1000
            unread = False
            _show(reporter, latest)
            if on_progress is not None:
                on_progress(latest)
            return latest if latest.is_terminal else None

        def pause(seconds: float) -> None:
            if long_polled:
                return
            # The notebook widget's pause ends early when its Cancel button is pressed.
            (reporter.sleep if reporter.shows_widget else self._sleep)(seconds)

        def cancel() -> None:
            # The notebook widget's Cancel button: cancel the run on the instance; the wait
            # then sees it end as cancelled.
            with contextlib.suppress(ExecutionNotFoundError):  # it ended meanwhile
                self._request_cancel(latest.execution_id)

        with ProgressReporter(
            None,
            show_progress,
            title=f"{execution.algorithm} ({self._kind.lower()} algorithm)",
            cancel=cancel,
        ) as reporter:
            try:
                final = poll(
                    check,
                    timeout=timeout,
                    poll_interval=MAX_POLL_INTERVAL,
                    on_timeout=_WaitExpired,
                    sleep=pause,
                )
            except _WaitExpired:
                final = self._cancel_after_timeout(latest, timeout)
            except KeyboardInterrupt:
                self._cancel_quietly(latest, "the wait was interrupted")
                raise
            return _outcome(final)

    def _cancel_after_timeout(
        self, execution: AlgorithmExecution, timeout: float
    ) -> AlgorithmExecution:
        """Cancel a run the SDK stopped waiting for; the execution if it ended meanwhile."""
        ident = execution.execution_id
        phase = (execution.progress or {}).get("phase") or execution.status
        message = (
            f"{self._kind} algorithm {execution.algorithm!r} did not finish within {timeout:g} s "
            f"(execution {ident}, last seen {phase})"
        )
        try:
            self._request_cancel(ident)
        except ExecutionNotFoundError:
            # It ended between the last poll and the cancel: report how it ended.
            execution = self.status(ident)
            if execution.is_terminal:
                return execution
            note = "."
        except GraphOLAPError as exc:
            note = (
                f". Cancelling it failed ({exc.message}); it may still hold the instance's "
                f"lock: cancel it with conn.algo.cancel({ident!r})."
            )
        else:
            note = (
                "; it was cancelled on the instance and nothing was written. Give it longer "
                "with timeout=<seconds>, or run it on fewer labels or types."
            )
        raise AlgorithmTimeoutError(message + note, code="ALGORITHM_TIMEOUT", execution=execution)

    def _cancel_quietly(self, execution: AlgorithmExecution, why: str) -> None:
        ident = execution.execution_id
        try:
            self._request_cancel(ident)
        except ExecutionNotFoundError:
            return  # it had already finished
        except GraphOLAPError as exc:
            logger.warning(
                "%s; cancelling execution %s failed: %s (cancel it with conn.algo.cancel(%r))",
                why,
                ident,
                exc.message,
                ident,
            )
            return
        logger.warning("%s; execution %s (%s) was cancelled", why, ident, execution.algorithm)


class AlgorithmManager(_Algorithms):
    """Native algorithms of an instance (``conn.algo``): compiled code, the engine's own where
    it has them.

    Every method takes the selection (``node_label``: one label or a list, all when omitted;
    ``edge_type``: likewise, every type between the selected labels when omitted) and writes the
    result to ``property_name`` on the selected nodes (default: the algorithm's name).
    The keyword options of :meth:`run` apply to every convenience method (``timeout``, ``wait``,
    ``write_back``, ``weight_property``, ``params``, ``on_progress``, ``show_progress``).

    >>> run = conn.algo.pagerank(node_label="Customer", edge_type="KNOWS")
    >>> run.nodes_updated, run.summary
    >>> conn.query_df("MATCH (c:Customer) RETURN c.name, c.pagerank ORDER BY c.pagerank DESC")
    >>> conn.algo.louvain(node_label="Customer", property_name="community").summary
    >>> conn.algo.shortest_path("Customer_C001", "Customer_C042")["path"]

    Defaults where the design documents disagree: PageRank runs 100 iterations to a tolerance
    of 1e-6 (sent explicitly, whatever the engine's own default); label propagation 100
    iterations; the wait polls from 0.1 s backing off to 1 s (not a fixed 2 s).
    """

    _prefix = "/algo"
    _kind = "Native"

    def algorithms(self, category: str | None = None) -> list[dict[str, Any]]:
        """The native catalogue: ``name``, ``category``, ``description``, ``parameters``, ...

        ``category`` keeps one (``"centrality"``, ``"community"``, ...).
        """
        return [dict(entry) for entry in self._catalogue(category=category)["algorithms"]]

    def run(
        self,
        algorithm: str,
        node_label: Selector = None,
        property_name: str | None = None,
        *,
        edge_type: Selector = None,
        params: Mapping[str, Any] | None = None,
        timeout: float = DEFAULT_ALGORITHM_TIMEOUT,
        wait: bool = True,
        write_back: bool = True,
        weight_property: str | None = None,
        on_progress: ExecutionCallback | None = None,
        show_progress: bool | None = None,
    ) -> AlgorithmExecution:
        """Run the native ``algorithm`` and return its execution (completed, if ``wait``).

        ``params`` are the algorithm's own parameters (``algorithm_info(name)["parameters"]``);
        ``property_name`` defaults to the algorithm's name; ``write_back=False`` returns the
        values in ``execution.values`` instead of writing them. ``weight_property`` names a
        numeric relationship property used as edge weight. ``timeout`` (seconds) bounds the
        run on the instance and the wait here; ``wait=False`` returns the running execution at
        once (follow it with :meth:`status`, stop it with :meth:`cancel`).
        """
        return self._run(
            algorithm,
            node_label,
            property_name,
            edge_type=edge_type,
            params=params,
            timeout=timeout,
            wait=wait,
            write_back=write_back,
            weight_property=weight_property,
            on_progress=on_progress,
            show_progress=show_progress,
        )

    # -- one method per native algorithm ----------------------------------------------------

    def pagerank(
        self,
        node_label: Selector = None,
        property_name: str | None = "pagerank",
        *,
        damping: float = 0.85,
        max_iterations: int = 100,
        tolerance: float = 1e-6,
        **options: Unpack[AlgorithmOptions],
    ) -> AlgorithmExecution:
        """PageRank (DOUBLE). ``damping`` is sent as ``damping_factor``; the defaults are the
        spec's (100 iterations, tolerance 1e-6), not an engine's own."""
        named = {"damping_factor": damping, "max_iterations": max_iterations}
        return self._convenience(
            "pagerank", node_label, property_name, {**named, "tolerance": tolerance}, options
        )

    def wcc(
        self,
        node_label: Selector = None,
        property_name: str | None = "wcc",
        **options: Unpack[AlgorithmOptions],
    ) -> AlgorithmExecution:
        """Weakly connected components (INT64 component id; edge direction ignored)."""
        return self._convenience("wcc", node_label, property_name, {}, options)

    connected_components = wcc

    def scc(
        self,
        node_label: Selector = None,
        property_name: str | None = "scc",
        **options: Unpack[AlgorithmOptions],
    ) -> AlgorithmExecution:
        """Strongly connected components (INT64 component id)."""
        return self._convenience("scc", node_label, property_name, {}, options)

    def louvain(
        self,
        node_label: Selector = None,
        property_name: str | None = "louvain",
        *,
        resolution: float = 1.0,
        **options: Unpack[AlgorithmOptions],
    ) -> AlgorithmExecution:
        """Louvain communities (INT64 community id; undirected). ``summary`` has
        ``community_count`` and ``modularity``."""
        return self._convenience(
            "louvain", node_label, property_name, {"resolution": resolution}, options
        )

    def label_propagation(
        self,
        node_label: Selector = None,
        property_name: str | None = "label_propagation",
        *,
        max_iterations: int = 100,
        **options: Unpack[AlgorithmOptions],
    ) -> AlgorithmExecution:
        """Label propagation communities (INT64 community id; undirected)."""
        named = {"max_iterations": max_iterations}
        return self._convenience("label_propagation", node_label, property_name, named, options)

    def kcore(
        self,
        node_label: Selector = None,
        property_name: str | None = "kcore",
        **options: Unpack[AlgorithmOptions],
    ) -> AlgorithmExecution:
        """Core number of every node (INT64; undirected, without self loops)."""
        return self._convenience("kcore", node_label, property_name, {}, options)

    def triangle_count(
        self,
        node_label: Selector = None,
        property_name: str | None = "triangle_count",
        **options: Unpack[AlgorithmOptions],
    ) -> AlgorithmExecution:
        """Triangles through every node (INT64; undirected)."""
        return self._convenience("triangle_count", node_label, property_name, {}, options)

    def betweenness(
        self,
        node_label: Selector = None,
        property_name: str | None = "betweenness",
        **options: Unpack[AlgorithmOptions],
    ) -> AlgorithmExecution:
        """Betweenness centrality (DOUBLE)."""
        return self._convenience("betweenness", node_label, property_name, {}, options)

    def degree(
        self,
        node_label: Selector = None,
        property_name: str | None = "degree",
        **options: Unpack[AlgorithmOptions],
    ) -> AlgorithmExecution:
        """Degree of every node: incoming plus outgoing relationships (INT64)."""
        return self._convenience("degree", node_label, property_name, {}, options)

    def shortest_path(
        self,
        source: str,
        target: str,
        *,
        node_label: Selector = None,
        edge_type: Selector = None,
        weight_property: str | None = None,
        directed: bool = True,
        timeout: float = DEFAULT_ALGORITHM_TIMEOUT,
    ) -> dict[str, Any]:
        """The shortest path from ``source`` to ``target`` (node ``_id``s, ``"Person_U001"``, or
        primary keys when ``node_label`` names one label), sent as ``source_id`` / ``target_id``.

        Synchronous: no execution to follow, nothing written. Returns ``{"path": [_id, ...],
        "hop_count": n, "total_weight": w}`` (``total_weight`` with a ``weight_property``).
        """
        body = _start_body(
            node_label,
            edge_type,
            None,
            {"source_id": source, "target_id": target},
            write_back=False,
            timeout=timeout,
            weight_property=weight_property,
            directed=directed,
        )
        answer = self._http.post(
            "/algo/shortest_path", json=body, timeout=timeout + _TRANSPORT_MARGIN
        )
        data = unwrap(answer)
        if "execution_id" not in data:
            return _path(data)
        # A wrapper that runs it as an execution: follow it like any other run.
        execution = AlgorithmExecution.from_api_response(answer)
        execution = self._wait(execution, timeout, None, False)
        return _path(execution.result or {})


class NetworkXManager(_Algorithms):
    """Any NetworkX algorithm on (part of) the instance's graph (``conn.networkx``).

    The graph handed to NetworkX has the nodes keyed by ``_id`` (``"Person_U001"``) and is
    undirected unless ``directed=True``. Node-valued and community results are written back like
    native ones; paths, scalars, link predictions and mappings come back in
    ``execution.result``.

    >>> conn.networkx.algorithms(search="centrality")
    >>> run = conn.networkx.closeness_centrality(node_label="Customer")
    >>> conn.networkx.run("clustering", "Customer", "clust", edge_type="KNOWS").summary
    >>> conn.networkx.run("diameter", "Customer", write_back=False).result["value"]

    Parameters are NetworkX's own names (``max_iter``, ``tol``); the convenience methods map the
    SDK's ``max_iterations`` / ``tolerance`` to them.
    """

    _prefix = "/networkx"
    _kind = "NetworkX"
    _directed = False

    def algorithms(
        self, category: str | None = None, search: str | None = None
    ) -> list[dict[str, Any]]:
        """The NetworkX catalogue, optionally one ``category`` (a NetworkX submodule, e.g.
        ``"centrality"``) or those whose name or description contains ``search``."""
        answer = self._catalogue(category=category, search=search)
        return [dict(entry) for entry in answer["algorithms"]]

    def categories(self) -> list[str]:
        """The catalogue's categories (NetworkX submodule names)."""
        return [str(category) for category in self._catalogue()["categories"]]

    def run(
        self,
        algorithm: str,
        node_label: Selector = None,
        property_name: str | None = None,
        *,
        edge_type: Selector = None,
        params: Mapping[str, Any] | None = None,
        directed: bool = False,
        weight_property: str | None = None,
        subgraph_query: str | None = None,
        timeout: float = DEFAULT_ALGORITHM_TIMEOUT,
        wait: bool = True,
        write_back: bool = True,
        on_progress: ExecutionCallback | None = None,
        show_progress: bool | None = None,
    ) -> AlgorithmExecution:
        """Run the NetworkX function ``algorithm`` and return its execution.

        ``params`` are the function's keyword arguments (``algorithm_info(name)``), e.g.
        ``{"source": "Person_U001"}``; ``subgraph_query`` is a read query returning the nodes
        and relationships to use instead of the label/type selection. The other options are
        those of :meth:`AlgorithmManager.run`.
        """
        return self._run(
            algorithm,
            node_label,
            property_name,
            edge_type=edge_type,
            params=params,
            timeout=timeout,
            wait=wait,
            write_back=write_back,
            weight_property=weight_property,
            on_progress=on_progress,
            show_progress=show_progress,
            directed=directed,
            subgraph_query=subgraph_query,
        )

    def degree_centrality(
        self,
        node_label: Selector = None,
        property_name: str | None = "degree_centrality",
        **options: Unpack[NetworkXOptions],
    ) -> AlgorithmExecution:
        """``nx.degree_centrality`` (DOUBLE)."""
        return self._convenience("degree_centrality", node_label, property_name, {}, options)

    def betweenness_centrality(
        self,
        node_label: Selector = None,
        property_name: str | None = "betweenness_centrality",
        *,
        normalized: bool = True,
        k: int | None = None,
        **options: Unpack[NetworkXOptions],
    ) -> AlgorithmExecution:
        """``nx.betweenness_centrality``; ``k`` samples that many sources (faster, approximate)."""
        named = {"normalized": normalized, "k": k}
        return self._convenience(
            "betweenness_centrality", node_label, property_name, named, options
        )

    def closeness_centrality(
        self,
        node_label: Selector = None,
        property_name: str | None = "closeness_centrality",
        **options: Unpack[NetworkXOptions],
    ) -> AlgorithmExecution:
        """``nx.closeness_centrality`` (DOUBLE)."""
        return self._convenience("closeness_centrality", node_label, property_name, {}, options)

    def eigenvector_centrality(
        self,
        node_label: Selector = None,
        property_name: str | None = "eigenvector_centrality",
        *,
        max_iterations: int = 100,
        tolerance: float = 1e-6,
        **options: Unpack[NetworkXOptions],
    ) -> AlgorithmExecution:
        """``nx.eigenvector_centrality``; sent as ``max_iter`` and ``tol``."""
        named = {"max_iter": max_iterations, "tol": tolerance}
        return self._convenience(
            "eigenvector_centrality", node_label, property_name, named, options
        )

    def clustering_coefficient(
        self,
        node_label: Selector = None,
        property_name: str | None = "clustering",
        **options: Unpack[NetworkXOptions],
    ) -> AlgorithmExecution:
        """Local clustering coefficient: ``nx.clustering`` (DOUBLE)."""
        return self._convenience("clustering", node_label, property_name, {}, options)


# -- helpers ------------------------------------------------------------------------------------


def _segment(value: str) -> str:
    """A path segment: algorithm names and execution ids never change the route."""
    return quote(str(value), safe="")


def _selector(value: Selector, one: str, many: str) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {one: value}
    return {many: list(value)}


def _start_body(
    node_label: Selector,
    edge_type: Selector,
    property_name: str | None,
    params: Mapping[str, Any] | None,
    *,
    write_back: bool,
    timeout: float,
    weight_property: str | None,
    **selectors: Any,
) -> dict[str, Any]:
    """The start body of docs/algorithms.md; selectors left out when not given."""
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        raise ValueError(f"timeout is in seconds and must be positive, got {timeout!r}")
    body: dict[str, Any] = {
        **_selector(node_label, "node_label", "node_labels"),
        **_selector(edge_type, "edge_type", "edge_types"),
    }
    if property_name is not None:
        body["result_property"] = property_name
    body["parameters"] = dict(params or {})
    body["write_back"] = write_back
    body["timeout_ms"] = round(timeout * 1000)
    if weight_property is not None:
        body["weight_property"] = weight_property
    body.update({key: value for key, value in selectors.items() if value is not None})
    return body


def _show(reporter: ProgressReporter, execution: AlgorithmExecution) -> None:
    phase = str((execution.progress or {}).get("phase") or execution.status)
    # A failed or cancelled run stays at the step it reached; only a completed one is full.
    if execution.status == ExecutionStatus.COMPLETED:
        done = _TOTAL_STEPS
    else:
        done = _PHASE_STEPS.get(phase, 0)
    reporter.update(
        phase,
        done,
        _TOTAL_STEPS,
        label=f"{execution.algorithm}: {phase}",
        status=str(execution.status),
    )


def _outcome(execution: AlgorithmExecution) -> AlgorithmExecution:
    """The completed execution, or the error for a failed or cancelled one."""
    ident, name = execution.execution_id, execution.algorithm
    if execution.status == ExecutionStatus.COMPLETED:
        return execution
    if execution.status == ExecutionStatus.CANCELLED:
        raise AlgorithmCancelledError(
            f"Algorithm {name!r} (execution {ident}) was cancelled before it finished; "
            "nothing was written.",
            execution=execution,
        )
    code = execution.error_code
    error = execution.error or "no error message"
    if code == "ALGORITHM_TIMEOUT":
        raise AlgorithmTimeoutError(
            f"Algorithm {name!r} (execution {ident}) went past its timeout on the instance: "
            f"{error}. Nothing was written; give it longer with timeout=<seconds>.",
            code=code,
            execution=execution,
        )
    raise AlgorithmFailedError(
        f"Algorithm {name!r} (execution {ident}) failed: {error}" + (f" [{code}]" if code else ""),
        code=code,
        execution=execution,
    )


def _path(data: Mapping[str, Any]) -> dict[str, Any]:
    """A path answer with both the native (``hop_count``) and NetworkX (``length``) names."""
    path = dict(data)
    if "hop_count" not in path and "length" in path:
        path["hop_count"] = path["length"]
    if "length" not in path and "hop_count" in path:
        path["length"] = path["hop_count"]
    return path
