"""``InstanceConnection``: Cypher queries against one running instance (its wrapper process).

Get one with ``client.instances.connect(instance_id)`` or ``client.quick_start(mapping_id)``.
It sends the same credentials as the control-plane client and goes through the same HTTP layer
(retries, typed errors). Queries are POSTs and are never re-sent once they may have reached the
instance; reads of schema, lock and status are retried like any GET.

Every query carries a ``query_id`` made here. Ctrl-C (``KeyboardInterrupt``) while waiting for
an answer sends ``POST /query/{query_id}/cancel``, so the engine stops working on a query nobody
waits for any more, then re-raises the interrupt (with a note saying what the instance did).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import cached_property
from types import TracebackType
from typing import Any, Literal, Self, TypeVar

import httpx

from graph_olap._optional import require
from graph_olap.config import Config
from graph_olap.exceptions import GraphOLAPError
from graph_olap.http import HTTPClient
from graph_olap.instance._envelope import unwrap
from graph_olap.instance._recent import remember_connection
from graph_olap.instance.algorithms import AlgorithmManager, NetworkXManager
from graph_olap.instance.plan import PlanMode, QueryPlan
from graph_olap.instance.result import QueryResult
from graph_olap.instance.values import encode_value
from graph_olap.models import GraphSchema, LockStatus

__all__ = [
    "ARROW_STREAM",
    "CANCEL_TIMEOUT",
    "DEFAULT_QUERY_TIMEOUT",
    "MAX_QUERY_TIMEOUT",
    "MIN_QUERY_TIMEOUT",
    "InstanceConnection",
]

ARROW_STREAM = "application/vnd.apache.arrow.stream"
DEFAULT_QUERY_TIMEOUT = 60.0  # the wrapper's default query limit, seconds
MIN_QUERY_TIMEOUT = 1.0
MAX_QUERY_TIMEOUT = 1800.0
# The HTTP read timeout of a query is its engine limit plus this, so the instance's
# QUERY_TIMEOUT answer arrives before the client gives up on the connection.
_TRANSPORT_MARGIN = 10.0
CANCEL_TIMEOUT = 5.0  # seconds a Ctrl-C waits for the instance to acknowledge the cancel

DataFrameBackend = Literal["pandas", "polars"]
CancelState = Literal["cancelled", "abandoned", "not_running", "unreachable"]
_T = TypeVar("_T")

logger = logging.getLogger(__name__)


class InstanceConnection:
    """Queries one instance at ``instance_url``.

    ``api_key`` / ``username`` authenticate as with the control plane; ``config`` (used by
    ``client.instances.connect``) takes everything from the client's configuration instead
    (its retries and credentials), unless credentials are given here too. ``timeout`` is the
    HTTP timeout in seconds for calls other than queries (a query waits for its own
    ``timeout`` plus a margin).

    Use it as a context manager, or call :meth:`close`, to release the connection pool.
    Closing a connection does not stop the instance: ``client.instances.terminate(id)`` does.
    """

    def __init__(
        self,
        instance_url: str,
        instance_id: int | None = None,
        *,
        api_key: str | None = None,
        username: str | None = None,
        timeout: float = 60.0,
        name: str | None = None,
        status: str | None = None,
        snapshot_id: int | None = None,
        config: Config | None = None,
        http_transport: httpx.BaseTransport | None = None,
    ) -> None:
        if config is None:
            config = Config(api_url=instance_url, api_key=api_key, username=username)
        else:
            config = replace(config, api_url=instance_url)
            if api_key is not None or username is not None:
                # Credentials given here replace the configuration's.
                config = replace(config, api_key=api_key, username=username, internal_api_key=None)
        self._config = replace(config, timeout=timeout)
        self._instance_id = instance_id
        self.name = name
        self.status_at_connect = status
        self.snapshot_id = snapshot_id
        which = f"instance {instance_id}" if instance_id is not None else "the instance"
        hint = (
            f"is instance {instance_id} still running? "
            f"check client.instances.get({instance_id}).status"
            if instance_id is not None
            else "is the instance still running?"
        )
        self._http = HTTPClient(
            self._config,
            transport=http_transport,
            unreachable_hint=hint,
            service_name=f"Graph OLAP {which}",
        )
        self.last_cancel: CancelState | None = None
        """What the instance did with the last query interrupted by Ctrl-C (None: none yet)."""
        remember_connection(self)

    @property
    def instance_url(self) -> str:
        return self._config.api_url

    @property
    def instance_id(self) -> int | None:
        return self._instance_id

    # -- queries ----------------------------------------------------------------------------

    def query(
        self,
        cypher: str,
        parameters: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
        max_rows: int | None = None,
        coerce_types: bool = True,
    ) -> QueryResult:
        """Run a read query and return its rows.

        Pass values as ``parameters`` (``$name`` in the query) rather than formatting them into
        the text: the engine then compiles the query once. Dates and timestamps in parameters
        are sent as ISO text. ``timeout`` is the engine's limit in seconds (1-1800, the instance
        default is 60); past it ``QueryTimeoutError`` is raised and the instance keeps serving.
        ``max_rows`` lowers the instance's row cap (``result.truncated`` tells if it was hit).
        ``coerce_types=False`` keeps values exactly as sent (ISO strings, base64).

        Errors: ``QueryError`` (bad Cypher: ``.position`` and the engine's message),
        ``QueryTimeoutError``, ``ServiceUnavailableError`` (still loading).
        """
        body = _query_body(cypher, parameters, timeout, max_rows)
        answer = self._cancellable(
            body,
            lambda: self._http.post("/query", json=body, timeout=self._read_timeout(timeout)),
        )
        return QueryResult.from_response(
            answer, coerce_types=coerce_types, query=cypher, instance=self._display_name()
        )

    def query_df(
        self,
        cypher: str,
        parameters: Mapping[str, Any] | None = None,
        *,
        backend: DataFrameBackend = "pandas",
        timeout: float | None = None,
    ) -> Any:
        """Run a read query and return a DataFrame: pandas by default, ``backend="polars"``.

        The rows travel as an Arrow IPC stream (no row cap, typed columns); nodes and
        relationships arrive as JSON text. Needs the analysis extra.
        """
        if backend not in ("pandas", "polars"):
            raise ValueError(f"backend must be 'pandas' or 'polars', got {backend!r}")
        frame_lib = require(backend, f"query_df(backend={backend!r})")
        body = _query_body(cypher, parameters, timeout, None)
        response = self._cancellable(
            body,
            lambda: self._http.request_raw(
                "POST",
                "/query",
                json=body,
                headers={"Accept": ARROW_STREAM},
                timeout=self._read_timeout(timeout),
            ),
        )
        content_type = response.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            # An instance without Arrow support answered with JSON rows instead.
            result = QueryResult.from_response(response.json())
            return result.to_polars() if backend == "polars" else result.to_pandas()
        ipc = require("pyarrow.ipc", "query_df()")
        table = ipc.open_stream(response.content).read_all()
        if backend == "polars":
            return frame_lib.from_arrow(table)
        return table.to_pandas()

    def query_scalar(
        self,
        cypher: str,
        parameters: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> Any:
        """The single value of a one-row, one-column query (None for no rows)."""
        return self.query(cypher, parameters, timeout=timeout).scalar()

    def query_one(
        self,
        cypher: str,
        parameters: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> dict[str, Any] | None:
        """The first row as a dict, or None when the query returns no rows."""
        return self.query(cypher, parameters, timeout=timeout, max_rows=1).first()

    def explain(
        self,
        cypher: str,
        parameters: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> QueryPlan:
        """The engine's plan for a query, without running it (``EXPLAIN`` / ``GRAPH.EXPLAIN``).

        Raises ``QueryError`` for bad Cypher, as :meth:`query` does.
        """
        return self._plan("explain", cypher, parameters, timeout)

    def profile(
        self,
        cypher: str,
        parameters: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> QueryPlan:
        """Run a query and return the engine's profile (rows and time per operator) instead of
        its rows (``PROFILE`` / ``GRAPH.PROFILE``)."""
        return self._plan("profile", cypher, parameters, timeout)

    def cancel_query(self, query_id: str) -> CancelState:
        """Ask the instance to stop the query sent with ``query_id``.

        ``cancelled``: the engine was interrupted; ``abandoned``: the engine cannot stop a
        running query (FalkorDB), it runs until its timeout and its answer is dropped;
        ``not_running``: nothing runs under that id (a query arriving later with it is
        refused); ``unreachable``: the instance did not answer.
        """
        try:
            answer = self._http.post(f"/query/{query_id}/cancel", json={}, timeout=CANCEL_TIMEOUT)
        except (GraphOLAPError, httpx.HTTPError) as exc:
            logger.warning("cancelling query %s failed: %s", query_id, exc)
            return "unreachable"
        state = str(unwrap(answer).get("state", "not_running"))
        if state in ("cancelled", "abandoned", "not_running"):
            return state  # type: ignore[return-value]
        return "not_running"

    def _plan(
        self,
        mode: PlanMode,
        cypher: str,
        parameters: Mapping[str, Any] | None,
        timeout: float | None,
    ) -> QueryPlan:
        body = {**_query_body(cypher, parameters, timeout, None), "mode": mode}
        answer = self._cancellable(
            body,
            lambda: self._http.post("/query", json=body, timeout=self._read_timeout(timeout)),
        )
        data = unwrap(answer)
        if data.get("mode") != mode or "plan" not in data:
            # A wrapper from before plans ignores ``mode`` and answers rows.
            raise GraphOLAPError(
                f"This instance cannot {mode} queries (its wrapper predates query plans); "
                "start a new instance to use it"
            )
        return QueryPlan.from_response(data, mode=mode)

    def _cancellable(self, body: dict[str, Any], send: Callable[[], _T]) -> _T:
        """Send a query; on Ctrl-C cancel it on the instance, then re-raise the interrupt."""
        try:
            return send()
        except KeyboardInterrupt as interrupt:
            state = self.cancel_query(str(body["query_id"]))
            self.last_cancel = state
            interrupt.add_note(_CANCEL_NOTES[state].format(id=body["query_id"]))
            raise

    # -- algorithms -------------------------------------------------------------------------

    @cached_property
    def algo(self) -> AlgorithmManager:
        """Native algorithms: ``conn.algo.pagerank(node_label="Customer")`` (docs/algorithms.md)."""
        return AlgorithmManager(self._http)

    @cached_property
    def networkx(self) -> NetworkXManager:
        """NetworkX algorithms: ``conn.networkx.run("closeness_centrality", "Customer")``."""
        return NetworkXManager(self._http)

    # -- instance state ---------------------------------------------------------------------

    def get_schema(self) -> GraphSchema:
        """The node and relationship tables the instance serves, with their counts."""
        return GraphSchema.from_api_response(dict(unwrap(self._http.get("/schema"))))

    def get_lock(self) -> LockStatus:
        """Whether an algorithm holds the instance's lock, and who runs it."""
        return LockStatus.from_api_response(self._http.get("/lock"))

    def status(self) -> dict[str, Any]:
        """The instance's own report: state, counts, uptime, memory and lock."""
        return dict(unwrap(self._http.get("/status")))

    # -- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        """Release the connection pool (the instance keeps running)."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        parts = [f"instance_url={self.instance_url!r}"]
        if self._instance_id is not None:
            parts.insert(0, f"instance_id={self._instance_id}")
        if self.name:
            parts.append(f"name={self.name!r}")
        return f"InstanceConnection({', '.join(parts)})"

    def _display_name(self) -> str | None:
        """How results name their instance (the widget's Metadata tab)."""
        if self.name and self._instance_id is not None:
            return f"{self.name} (#{self._instance_id})"
        if self._instance_id is not None:
            return f"#{self._instance_id}"
        return self.name

    def _read_timeout(self, timeout: float | None) -> float:
        engine_limit = DEFAULT_QUERY_TIMEOUT if timeout is None else timeout
        return max(self._config.timeout, engine_limit + _TRANSPORT_MARGIN)


def _query_body(
    cypher: str,
    parameters: Mapping[str, Any] | None,
    timeout: float | None,
    max_rows: int | None,
) -> dict[str, Any]:
    if not isinstance(cypher, str) or not cypher.strip():
        raise ValueError("query needs Cypher text, e.g. 'MATCH (n) RETURN count(n)'")
    # The id names the query for a cancel; 96 random bits cannot collide with another caller's.
    body: dict[str, Any] = {"query": cypher, "query_id": uuid.uuid4().hex[:24]}
    if parameters:
        body["parameters"] = {str(key): encode_value(value) for key, value in parameters.items()}
    if timeout is not None:
        if not MIN_QUERY_TIMEOUT <= timeout <= MAX_QUERY_TIMEOUT:
            raise ValueError(
                f"timeout is in seconds, from {MIN_QUERY_TIMEOUT:g} to {MAX_QUERY_TIMEOUT:g}; "
                f"got {timeout!r}"
            )
        body["timeout_ms"] = round(timeout * 1000)
    if max_rows is not None:
        if max_rows < 1:
            raise ValueError(f"max_rows must be 1 or more, got {max_rows!r}")
        body["max_rows"] = int(max_rows)
    return body


_CANCEL_NOTES: dict[CancelState, str] = {
    "cancelled": "The instance stopped query {id}.",
    "abandoned": (
        "The instance's engine cannot stop a running query: query {id} runs until its timeout "
        "and its answer is dropped."
    ),
    "not_running": "Query {id} was no longer running on the instance.",
    "unreachable": "The instance did not answer the cancel of query {id}.",
}
