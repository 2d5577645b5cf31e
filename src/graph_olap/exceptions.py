"""Typed SDK exceptions and the mapping from the platform's error envelope to them.

Hierarchy (every class derives from :class:`GraphOLAPError`)::

    GraphOLAPError
    ├── APIConnectionError               the platform could not be reached
    ├── AuthenticationError              UNAUTHORIZED, USER_NOT_PROVISIONED, USER_DISABLED
    ├── PermissionDeniedError            PERMISSION_DENIED
    │   └── ForbiddenError               INSUFFICIENT_ROLE
    ├── NotFoundError                    RESOURCE_NOT_FOUND
    │   ├── MappingVersionNotFoundError  MAPPING_VERSION_NOT_FOUND (.latest_version)
    │   └── ExecutionNotFoundError       EXECUTION_NOT_FOUND
    ├── ValidationError                  VALIDATION_FAILED, VALIDATION_ERROR (.errors,
    │                                    .invalid_params, .valid_params)
    ├── ConflictError
    │   ├── ResourceLockedError          RESOURCE_LOCKED (.holder_name, .algorithm,
    │   │                                .execution_id, .acquired_at)
    │   ├── ConcurrencyLimitError        CONCURRENCY_LIMIT_EXCEEDED (.limit_type, ...)
    │   ├── DependencyError              RESOURCE_HAS_DEPENDENCIES
    │   ├── InvalidStateError            INVALID_STATE
    │   ├── SnapshotNotReadyError        SNAPSHOT_NOT_READY
    │   └── AlreadyExistsError           ALREADY_EXISTS
    ├── GraphOLAPTimeoutError (alias TimeoutError)
    │   ├── QueryTimeoutError            QUERY_TIMEOUT
    │   └── AlgorithmTimeoutError        ALGORITHM_TIMEOUT, an algorithm wait ran out
    │                                    (.execution)
    ├── QueryError                       QUERY_SYNTAX_ERROR, QUERY_ERROR (.position)
    │   ├── RyugraphError                RYUGRAPH_ERROR
    │   └── FalkorDBError                FALKORDB_ERROR
    ├── AlgorithmNotFoundError           ALGORITHM_NOT_FOUND
    ├── AlgorithmFailedError             ALGORITHM_FAILED, an execution ended as failed
    │   │                                (.execution)
    │   └── AlgorithmCancelledError      an execution ended as cancelled
    ├── SnapshotFailedError              an SDK wait saw the snapshot fail (.error_message)
    ├── InstanceFailedError              an SDK wait saw the instance fail (.error_code)
    ├── StarburstError                   STARBURST_ERROR (the warehouse failed)
    ├── GCSError                         the snapshot store failed
    ├── RateLimitError                   RATE_LIMIT_EXCEEDED (.retry_after)
    └── ServerError                      INTERNAL_ERROR, any 5xx, a non-JSON body
        └── ServiceUnavailableError      SERVICE_UNAVAILABLE, DATABASE_NOT_INITIALIZED, 503

The spec names the timeout class ``TimeoutError``. The class itself is called
``GraphOLAPTimeoutError`` so that inside this package (and after ``from graph_olap import *``) the
builtin ``TimeoutError`` keeps its meaning; ``graph_olap.exceptions.TimeoutError`` is an alias for
explicit imports and is deliberately left out of ``__all__``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graph_olap.models.algorithm import AlgorithmExecution

__all__ = [
    "APIConnectionError",
    "AlgorithmCancelledError",
    "AlgorithmFailedError",
    "AlgorithmNotFoundError",
    "AlgorithmTimeoutError",
    "AlreadyExistsError",
    "AuthenticationError",
    "ConcurrencyLimitError",
    "ConflictError",
    "DependencyError",
    "ExecutionNotFoundError",
    "FalkorDBError",
    "ForbiddenError",
    "GCSError",
    "GraphOLAPError",
    "GraphOLAPTimeoutError",
    "InstanceFailedError",
    "InvalidStateError",
    "MappingVersionNotFoundError",
    "NotFoundError",
    "PermissionDeniedError",
    "QueryError",
    "QueryTimeoutError",
    "RateLimitError",
    "ResourceLockedError",
    "RyugraphError",
    "ServerError",
    "ServiceUnavailableError",
    "SnapshotFailedError",
    "SnapshotNotReadyError",
    "StarburstError",
    "ValidationError",
    "error_from_response",
]


class GraphOLAPError(Exception):
    """Base of every SDK error; carries what the server said about the failure."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details: dict[str, Any] = dict(details) if details else {}
        self.status_code = status_code
        self.request_id = request_id

    def __repr__(self) -> str:
        extras = "".join(
            f", {name}={value!r}"
            for name, value in (
                ("code", self.code),
                ("status_code", self.status_code),
                ("request_id", self.request_id),
            )
            if value is not None
        )
        return f"{type(self).__name__}({self.message!r}{extras})"


class APIConnectionError(GraphOLAPError):
    """The request never got an HTTP answer (refused, DNS failure, dropped connection)."""


class AuthenticationError(GraphOLAPError):
    """The platform does not know who is calling."""


class PermissionDeniedError(GraphOLAPError):
    """The caller is known but may not do this (usually: not the owner)."""


class ForbiddenError(PermissionDeniedError):
    """The caller's role is too low for the route (``INSUFFICIENT_ROLE``)."""


class NotFoundError(GraphOLAPError):
    """The resource does not exist (or was deleted)."""


class MappingVersionNotFoundError(NotFoundError):
    """The mapping exists but not that version; ``latest_version`` says which one does."""

    @property
    def latest_version(self) -> int | None:
        return _as_int(self.details.get("latest_version"))


class ExecutionNotFoundError(NotFoundError):
    """An algorithm execution id is unknown to the instance."""


class ValidationError(GraphOLAPError):
    """The request was rejected as invalid; ``errors`` lists every field problem.

    For algorithm parameters the instance also names the ``invalid_params`` and the
    ``valid_params`` of the algorithm; both are part of the message.
    """

    @property
    def invalid_params(self) -> list[str]:
        return _as_str_list(self.details.get("invalid_params"))

    @property
    def valid_params(self) -> list[str]:
        return _as_str_list(self.details.get("valid_params"))

    @property
    def errors(self) -> list[dict[str, str]]:
        """``[{"field", "message"}]`` from ``details.errors`` or the single ``{field, reason}``."""
        raw = self.details.get("errors")
        if isinstance(raw, list):
            return [
                {
                    "field": str(item.get("field", "")),
                    "message": str(item.get("message", item.get("reason", ""))),
                }
                for item in raw
                if isinstance(item, dict)
            ]
        if "field" in self.details:
            reason = self.details.get("reason", self.details.get("message", ""))
            return [{"field": str(self.details["field"]), "message": str(reason)}]
        return []

    def __str__(self) -> str:
        # One line per problem so a notebook traceback shows everything to fix at once.
        lines = [self.message]
        lines.extend(
            f"  - {e['field']}: {e['message']}" if e["field"] else f"  - {e['message']}"
            for e in self.errors
        )
        for what, names in (("invalid", self.invalid_params), ("valid", self.valid_params)):
            if names:
                lines.append(f"  - {what} parameters: {', '.join(names)}")
        return "\n".join(lines)


class ConflictError(GraphOLAPError):
    """The request conflicts with the resource's current state."""


class ResourceLockedError(ConflictError):
    """An algorithm holds the instance's lock: who runs which algorithm, since when.

    Read from the 409's ``details`` (docs/algorithms.md "Lock"; the legacy ``holder_username``
    and ``algorithm_name`` too). Queries still work while the lock is held; ``conn.get_lock()``
    shows when it is released.
    """

    @property
    def holder_id(self) -> str | None:
        return _as_str(self.details.get("holder_id"))

    @property
    def holder_name(self) -> str | None:
        return _as_str(self.details.get("holder_name") or self.details.get("holder_username"))

    @property
    def algorithm(self) -> str | None:
        return _as_str(self.details.get("algorithm") or self.details.get("algorithm_name"))

    @property
    def algorithm_type(self) -> str | None:
        return _as_str(self.details.get("algorithm_type"))

    @property
    def execution_id(self) -> str | None:
        return _as_str(self.details.get("execution_id"))

    @property
    def acquired_at(self) -> datetime | None:
        return _as_datetime(self.details.get("acquired_at") or self.details.get("locked_at"))


class ConcurrencyLimitError(ConflictError):
    """Too many instances: per analyst or for the whole cluster."""

    @property
    def limit_type(self) -> str | None:
        return _as_str(self.details.get("limit_type"))

    @property
    def current_count(self) -> int | None:
        return _as_int(self.details.get("current_count"))

    @property
    def max_allowed(self) -> int | None:
        return _as_int(self.details.get("max_allowed"))


class DependencyError(ConflictError):
    """Other resources still depend on this one (delete instances, then snapshots)."""


class InvalidStateError(ConflictError):
    """The resource is in a status that does not allow the operation."""


class SnapshotNotReadyError(ConflictError):
    """The snapshot is still being exported or has failed."""


class AlreadyExistsError(ConflictError):
    """The resource exists already."""


class GraphOLAPTimeoutError(GraphOLAPError):
    """A request or a wait took too long (exported as ``TimeoutError``)."""


class QueryTimeoutError(GraphOLAPTimeoutError):
    """A Cypher query exceeded its time limit on the instance."""


class _AlgorithmRunError(GraphOLAPError):
    """Base of the errors that end an algorithm run; ``execution`` is its last known state
    (None when the error came from a response rather than from following an execution)."""

    def __init__(
        self,
        message: str,
        *,
        execution: AlgorithmExecution | None = None,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(
            message, code=code, details=details, status_code=status_code, request_id=request_id
        )
        self.execution = execution

    @property
    def execution_id(self) -> str | None:
        if self.execution is not None:
            return self.execution.execution_id
        return _as_str(self.details.get("execution_id"))


class AlgorithmTimeoutError(_AlgorithmRunError, GraphOLAPTimeoutError):
    """An algorithm run went past its timeout: the instance's own limit, or the SDK's wait
    (which first cancels the run on the instance, so it does not keep the lock)."""


class QueryError(GraphOLAPError):
    """The instance's engine rejected a query (syntax error, unknown label, bad parameter...).

    ``code`` is ``QUERY_SYNTAX_ERROR`` or ``QUERY_ERROR``; ``engine_message`` is the engine's own
    text and ``position`` where it points, ``{"line": 1, "column": 17}``, when it reports one.
    """

    @property
    def engine_message(self) -> str:
        return _as_str(self.details.get("message")) or self.message

    @property
    def engine(self) -> str | None:
        return _as_str(self.details.get("engine"))

    @property
    def position(self) -> dict[str, int] | None:
        raw = self.details.get("position")
        if not isinstance(raw, dict):
            return None
        line, column = _as_int(raw.get("line")), _as_int(raw.get("column"))
        if line is None and column is None:
            return None
        pairs = (("line", line), ("column", column))
        return {key: value for key, value in pairs if value is not None}

    def __str__(self) -> str:
        where = self.position
        if not where:
            return self.message
        at = ", ".join(f"{key} {value}" for key, value in where.items())
        return f"{self.message} (at {at})"


class RyugraphError(QueryError):
    """The Ryugraph engine reported an error."""


class FalkorDBError(QueryError):
    """The FalkorDB engine reported an error."""


class AlgorithmNotFoundError(GraphOLAPError):
    """The instance has no algorithm by that name."""


class AlgorithmFailedError(_AlgorithmRunError):
    """An algorithm run failed; the message includes the instance's error.

    ``execution`` is the failed run (``execution.error``, ``execution.error_code``), or None
    when the error came from a response (``ALGORITHM_FAILED`` of a synchronous algorithm).
    """


class AlgorithmCancelledError(AlgorithmFailedError):
    """An algorithm run was cancelled (``conn.algo.cancel`` from this or another session).

    A subclass of :class:`AlgorithmFailedError`: either way the run left no result.
    """


class SnapshotFailedError(GraphOLAPError):
    """A snapshot export failed; ``error_message`` is the server's (it names the definition)."""

    @property
    def snapshot_id(self) -> int | None:
        return _as_int(self.details.get("snapshot_id"))

    @property
    def error_message(self) -> str | None:
        return _as_str(self.details.get("error_message"))


class InstanceFailedError(GraphOLAPError):
    """An instance failed to start or crashed.

    ``error_code`` is the server's (``DATA_LOAD_ERROR`` when its snapshot failed,
    ``UNEXPECTED_TERMINATION``, ...) and ``error_message`` its explanation.
    """

    @property
    def instance_id(self) -> int | None:
        return _as_int(self.details.get("instance_id"))

    @property
    def error_code(self) -> str | None:
        return _as_str(self.details.get("error_code")) or self.code

    @property
    def error_message(self) -> str | None:
        return _as_str(self.details.get("error_message"))


class StarburstError(GraphOLAPError):
    """The warehouse rejected or failed a query."""


class GCSError(GraphOLAPError):
    """The snapshot store failed."""


class RateLimitError(GraphOLAPError):
    """Too many requests; ``retry_after`` is the wait in seconds the server asked for."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            message, code=code, details=details, status_code=status_code, request_id=request_id
        )
        if retry_after is None:
            retry_after = _as_float(self.details.get("retry_after_seconds"))
        self.retry_after = retry_after


class ServerError(GraphOLAPError):
    """The platform failed (5xx) or answered with something that is not its JSON envelope."""


class ServiceUnavailableError(ServerError):
    """The platform is in maintenance mode or a dependency is down."""


# Explicit-import alias with the spec's name; see the module docstring for why it is not the
# class name and not in __all__.
TimeoutError = GraphOLAPTimeoutError

_CODE_TO_CLASS: dict[str, type[GraphOLAPError]] = {
    "UNAUTHORIZED": AuthenticationError,
    "USER_NOT_PROVISIONED": AuthenticationError,
    "USER_DISABLED": AuthenticationError,
    "PERMISSION_DENIED": PermissionDeniedError,
    "INSUFFICIENT_ROLE": ForbiddenError,
    "RESOURCE_NOT_FOUND": NotFoundError,
    "MAPPING_VERSION_NOT_FOUND": MappingVersionNotFoundError,
    "EXECUTION_NOT_FOUND": ExecutionNotFoundError,
    "VALIDATION_FAILED": ValidationError,
    "VALIDATION_ERROR": ValidationError,
    "CONCURRENCY_LIMIT_EXCEEDED": ConcurrencyLimitError,
    "RESOURCE_HAS_DEPENDENCIES": DependencyError,
    "INVALID_STATE": InvalidStateError,
    "SNAPSHOT_NOT_READY": SnapshotNotReadyError,
    "RESOURCE_LOCKED": ResourceLockedError,
    "ALREADY_EXISTS": AlreadyExistsError,
    "RATE_LIMIT_EXCEEDED": RateLimitError,
    "QUERY_TIMEOUT": QueryTimeoutError,
    "QUERY_SYNTAX_ERROR": QueryError,
    "QUERY_ERROR": QueryError,
    "RYUGRAPH_ERROR": RyugraphError,
    "FALKORDB_ERROR": FalkorDBError,
    "ALGORITHM_NOT_FOUND": AlgorithmNotFoundError,
    "ALGORITHM_FAILED": AlgorithmFailedError,
    "ALGORITHM_TIMEOUT": AlgorithmTimeoutError,
    "STARBURST_ERROR": StarburstError,
    "INTERNAL_ERROR": ServerError,
    "SERVICE_UNAVAILABLE": ServiceUnavailableError,
    "DATABASE_NOT_INITIALIZED": ServiceUnavailableError,
    "DATABASE_ERROR": ServerError,
}

# Used when the code is unknown (e.g. a newer server) so callers still get a useful class.
_STATUS_TO_CLASS: dict[int, type[GraphOLAPError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: GraphOLAPTimeoutError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitError,
    503: ServiceUnavailableError,
}

# What the user can do next, keyed by code; appended to the server's message.
_HINTS: dict[str, str] = {
    "UNAUTHORIZED": (
        "Set the GRAPH_OLAP_API_KEY environment variable or pass api_key= to "
        "GraphOLAPClient(...) / notebook.connect(...)."
    ),
    "USER_NOT_PROVISIONED": (
        "Your user is not registered on this platform; ask an admin to create it "
        "(a fresh platform is bootstrapped with POST /api/users/bootstrap)."
    ),
    "USER_DISABLED": "Your user is disabled; ask an admin to re-enable it.",
    "PERMISSION_DENIED": "Only the owner, admins and ops may change this resource.",
    "RESOURCE_HAS_DEPENDENCIES": "Delete the dependent instances and snapshots first.",
    "CONCURRENCY_LIMIT_EXCEEDED": "Terminate an instance you no longer need and try again.",
    "QUERY_TIMEOUT": (
        "Narrow the query or raise its limit with query(..., timeout=<seconds>) (at most 1800); "
        "the instance keeps serving."
    ),
    "ALGORITHM_NOT_FOUND": (
        "List the instance's algorithms with conn.algo.algorithms() or "
        "conn.networkx.algorithms(search=...)."
    ),
    "RESOURCE_LOCKED": (
        "One algorithm runs at a time per instance; queries still work. "
        "conn.get_lock() shows when it is free."
    ),
    "DATABASE_NOT_INITIALIZED": (
        "The instance is still loading its graph; wait with "
        "client.instances.wait_until_running(instance_id)."
    ),
}


def error_from_response(
    status_code: int,
    body: Any,
    request_id: str | None = None,
    *,
    retry_after: float | None = None,
) -> GraphOLAPError:
    """Build the typed exception for an error response.

    ``body`` is the parsed JSON (normally ``{"error": {...}, "meta": {...}}``) or the raw text
    when the body was not JSON. The code decides the class; the HTTP status is the fallback.
    ``retry_after`` (seconds, from the ``Retry-After`` header) feeds ``RateLimitError``.
    """
    if not isinstance(body, dict):
        text = body.decode(errors="replace") if isinstance(body, bytes) else str(body or "")
        snippet = text.strip()[:200]
        return ServerError(
            f"The platform answered HTTP {status_code} with a non-JSON body: {snippet!r}",
            status_code=status_code,
            request_id=request_id,
        )

    error = body.get("error")
    if not isinstance(error, dict):
        # FastAPI-style {"detail": ...} or another shape: keep whatever text there is.
        error = {"message": body.get("detail") or body.get("message")}
    meta = body.get("meta")
    if isinstance(meta, dict) and isinstance(meta.get("request_id"), str):
        request_id = meta["request_id"]

    code = _as_str(error.get("code"))
    message = _as_str(error.get("message")) or f"HTTP {status_code} error"
    details = error.get("details")
    details = details if isinstance(details, dict) else {}

    cls = _CODE_TO_CLASS.get(code or "")
    if cls is None:
        cls = _STATUS_TO_CLASS.get(status_code)
    if cls is None:
        if status_code >= 500:
            cls = ServerError
        else:
            cls = GraphOLAPError
            message = f"{code}: {message}" if code else message

    message = _with_hint(cls, code, message, details, status_code, request_id)
    common: dict[str, Any] = {
        "code": code,
        "details": details,
        "status_code": status_code,
        "request_id": request_id,
    }
    if issubclass(cls, RateLimitError):
        return cls(message, retry_after=retry_after, **common)
    return cls(message, **common)


def _with_hint(
    cls: type[GraphOLAPError],
    code: str | None,
    message: str,
    details: dict[str, Any],
    status_code: int,
    request_id: str | None,
) -> str:
    hint = _HINTS.get(code or "")
    if hint is None and cls is AuthenticationError:
        hint = _HINTS["UNAUTHORIZED"]
    if cls is ForbiddenError and details.get("required_role"):
        hint = f"This needs the '{details['required_role']}' role."
    if cls is MappingVersionNotFoundError and details.get("latest_version") is not None:
        hint = f"The latest version is {details['latest_version']}."
    if cls is RateLimitError and details.get("retry_after_seconds") is not None:
        hint = f"Retry after {details['retry_after_seconds']} s."
    if hint is None and cls is ServerError and request_id:
        hint = f"This is a platform problem; quote request id {request_id} when reporting it."
    if not hint or hint in message:
        return message
    separator = " " if message.rstrip().endswith((".", "!", "?", ":")) else ". "
    return f"{message.rstrip()}{separator}{hint}"


def _as_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _as_int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _as_str_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple | dict):
        return [str(item) for item in value]
    return [] if value is None else [str(value)]


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return None if value is None else datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _as_float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None
