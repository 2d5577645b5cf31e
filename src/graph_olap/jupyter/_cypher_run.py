"""What ``%%cypher`` does, as plain typed functions: pick the instance, bind parameters, run,
shape the answer, report, and turn failures into short ``UsageError`` messages.

The magic class only parses; everything here can be called (and timed) without IPython's
display machinery.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal, TextIO

from IPython.core.error import UsageError

from graph_olap.client import GraphOLAPClient
from graph_olap.exceptions import (
    APIConnectionError,
    GraphOLAPError,
    InvalidStateError,
    NotFoundError,
    QueryError,
    QueryTimeoutError,
    ServiceUnavailableError,
)
from graph_olap.instance._recent import last_instance, remember_connection
from graph_olap.instance.connection import DEFAULT_QUERY_TIMEOUT, InstanceConnection
from graph_olap.instance.plan import QueryPlan
from graph_olap.instance.result import QueryResult
from graph_olap.jupyter._cypher_command import CypherCommand, View
from graph_olap.jupyter._cypher_errors import query_error_message
from graph_olap.jupyter._cypher_params import bind_parameters
from graph_olap.models import Instance

__all__ = [
    "CypherResult",
    "CypherSession",
    "MagicSettings",
    "Target",
    "run_command",
]

_RESULT_FIELDS = tuple(f.name for f in fields(QueryResult) if f.init)


@dataclass(frozen=True, repr=False)
class CypherResult(QueryResult):
    """A :class:`QueryResult` that remembers how ``%%cypher`` was asked to show it.

    It is the cell's value (so ``_`` and ``-o`` hold it, and every ``QueryResult`` method
    works); only its widget differs: the tab chosen with ``--view`` and the magic's
    ``display_limit`` instead of the defaults.
    """

    cypher_view: View | None = field(default=None, compare=False, kw_only=True)
    cypher_display_limit: int | None = field(default=None, compare=False, kw_only=True)

    @classmethod
    def of(
        cls,
        result: QueryResult,
        *,
        view: View | None,
        display_limit: int | None,
        query: str,
        instance: str,
    ) -> CypherResult:
        values = {name: getattr(result, name) for name in _RESULT_FIELDS}
        # Keep the query and instance for the widget's Metadata tab where results carry them.
        if "query" in values:
            values["query"] = query
        if "instance" in values:
            values["instance"] = instance
        return cls(**values, cypher_view=view, cypher_display_limit=display_limit)

    def widget(
        self,
        *,
        view: View | Literal["metadata"] | None = None,
        display_limit: int | None = None,
        size_by: str | None = None,
        label_by: str | None = None,
    ) -> Any:
        return super().widget(
            view=view or self.cypher_view,
            display_limit=self.cypher_display_limit if display_limit is None else display_limit,
            size_by=size_by,
            label_by=label_by,
        )


@dataclass(frozen=True)
class MagicSettings:
    """The ``CypherMagic`` configuration at the time of one call."""

    display_limit: int = 1000
    default_view: View = "table"
    feedback: int = 1
    default_timeout: float | None = None
    show_traceback: bool = False


@dataclass(frozen=True)
class Target:
    """The instance a query goes to."""

    instance_id: int | None
    name: str | None
    connection: InstanceConnection

    @property
    def label(self) -> str:
        name = f"{self.name!r} " if self.name else ""
        number = f"(#{self.instance_id})" if self.instance_id is not None else ""
        return (name + number).strip() or self.connection.instance_url


def _default_client() -> GraphOLAPClient:
    from graph_olap import notebook

    return notebook.get_client() or notebook.connect()


class CypherSession:
    """One shell's ``%%cypher`` state: the ``--use`` default and the connections it opened."""

    def __init__(self, client_factory: Callable[[], GraphOLAPClient] = _default_client) -> None:
        self._client_factory = client_factory
        self.default: Target | None = None
        self._connections: dict[int, InstanceConnection] = {}

    def client(self) -> GraphOLAPClient:
        try:
            return self._client_factory()
        except GraphOLAPError as exc:
            raise UsageError(
                f"Cannot reach the platform to find instances: {exc}. Connect first with "
                "graph_olap.notebook.connect(...)"
            ) from None

    # -- choosing the instance ----------------------------------------------------------------
    def target(self, command: CypherCommand) -> Target:
        if command.use is not None:
            self.default = self._open(command.use)
            if command.instance is None:
                return self.default
        if command.instance is not None:
            target = self._open(command.instance)
            remember_connection(target.connection)  # the last -i is the last connected
            return target
        if self.default is not None:
            return self.default
        recent = last_instance()
        if recent is None:
            raise UsageError(
                "No instance to query: pass -i ID|NAME, choose one for the session with "
                "%cypher --use ID|NAME, or connect one (client.instances.connect(id), "
                "client.quick_start(mapping_id))"
            )
        connection = recent.connection() if recent.connection is not None else None
        if connection is None:
            connection = self._connection(recent.instance_id, recent.name)
        return Target(recent.instance_id, recent.name or connection.name, connection)

    def _open(self, reference: str) -> Target:
        instance = self.resolve(reference)
        return Target(instance.id, instance.name, self._connection(instance.id, instance.name))

    def resolve(self, reference: str) -> Instance:
        """The instance with id or name ``reference`` (a running one first, for names)."""
        reference = reference.strip()
        client = self.client()
        if reference.isdigit():
            try:
                return client.instances.get(int(reference))
            except NotFoundError:
                raise UsageError(
                    f"No instance #{reference}: it does not exist or was terminated "
                    "(client.instances.list() shows yours)"
                ) from None
        matches = _named(client.instances.list(search=reference, limit=100).items, reference)
        if not matches:  # the server's search may not be a name match: look at everything
            everyone = client.instances.list(limit=100).items
            matches = _named(everyone, reference)
            if not matches:
                known = ", ".join(f"{i.name!r} (#{i.id}, {i.status})" for i in everyone[:10])
                raise UsageError(
                    f"No instance named {reference!r}. "
                    + (f"Instances you can use: {known}" if known else "You have no instances.")
                )
        running = [i for i in matches if i.status == "running"]
        if len(running) > 1:
            ids = ", ".join(f"#{i.id}" for i in running)
            raise UsageError(
                f"Several running instances are named {reference!r} ({ids}): use -i with an id"
            )
        return (running or matches)[0]

    def _connection(self, instance_id: int, name: str | None) -> InstanceConnection:
        connection = self._connections.get(instance_id)
        if connection is not None:
            return connection
        recent = last_instance()
        if recent is not None and recent.instance_id == instance_id and recent.connection:
            connection = recent.connection()
            if connection is not None:
                return connection  # the notebook's own connection (its credentials)
        try:
            connection = self.client().instances.connect(instance_id)
        except InvalidStateError as exc:
            raise UsageError(f"Instance {name or ''} #{instance_id}: {exc}") from None
        except NotFoundError:
            raise UsageError(
                f"Instance #{instance_id} no longer exists (terminated); start another and "
                "choose it with %cypher --use ID|NAME"
            ) from None
        self._connections[instance_id] = connection
        return connection

    def forget(self, instance_id: int | None) -> None:
        """Drop what the session holds for an instance that stopped answering."""
        if instance_id is None:
            return
        connection = self._connections.pop(instance_id, None)
        if connection is not None:
            connection.close()
        if self.default is not None and self.default.instance_id == instance_id:
            self.default = None

    def describe_unreachable(self, target: Target, error: GraphOLAPError) -> str:
        """Why ``target`` did not answer, asked from the control plane when possible."""
        base = f"Instance {target.label} did not answer"
        if target.instance_id is None:
            return f"{base}: {error}"
        try:
            instance = self.client().instances.get(target.instance_id)
        except NotFoundError:
            return (
                f"Instance {target.label} no longer exists: it was terminated. Start another "
                "and choose it with %cypher --use ID|NAME (or -i)"
            )
        except (GraphOLAPError, UsageError):
            return f"{base} and the platform could not be asked about it: {error}"
        if instance.status != "running":
            detail = f" ({instance.error_message})" if instance.error_message else ""
            return (
                f"Instance {target.label} is not running (status: {instance.status}){detail}; "
                "start another and choose it with %cypher --use ID|NAME"
            )
        return f"{base} although the platform reports it running: {error}"

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()
        self.default = None


def _named(instances: list[Instance], name: str) -> list[Instance]:
    exact = [i for i in instances if i.name == name]
    if exact:
        return exact
    folded = name.casefold()
    return [i for i in instances if i.name.casefold() == folded]


# -- running ---------------------------------------------------------------------------------


def run_command(
    command: CypherCommand,
    *,
    session: CypherSession,
    settings: MagicSettings,
    namespace: MutableMapping[str, Any],
    out: TextIO | None = None,
) -> Any:
    """Run one parsed ``%cypher``: returns a :class:`CypherResult`, a DataFrame, a
    :class:`QueryPlan`, or None for ``--use`` alone. Failures raise ``UsageError`` unless
    ``settings.show_traceback``."""
    stream = out if out is not None else sys.stdout
    quiet = command.quiet or settings.feedback <= 0
    target: Target | None = None
    started = time.perf_counter()
    try:
        target = session.target(command)
        if not command.query:  # --use alone
            if not quiet:
                print(f"%%cypher now runs on instance {target.label}", file=stream)
            return None
        parameters = bind_parameters(command.query, namespace, _explicit(command, namespace))
        value = _execute(command, target, parameters, settings)
    except UsageError:
        raise
    except KeyboardInterrupt:
        if settings.show_traceback or target is None:
            raise
        raise UsageError(_cancel_message(target, time.perf_counter() - started)) from None
    except (QueryError, QueryTimeoutError, GraphOLAPError) as exc:
        if settings.show_traceback:
            raise
        raise UsageError(_error_message(exc, command, session, target)) from None
    elapsed = (time.perf_counter() - started) * 1000
    if command.out is not None:
        namespace[command.out] = value
    if not quiet:
        print(_feedback(value, target, elapsed, command, settings, parameters), file=stream)
    return value


def _explicit(command: CypherCommand, namespace: Mapping[str, Any]) -> Mapping[str, Any] | None:
    if command.params_var is None:
        return None
    if command.params_var not in namespace:
        raise UsageError(f"-P/--params: no variable {command.params_var!r} in the notebook")
    value = namespace[command.params_var]
    if not isinstance(value, Mapping):
        raise UsageError(
            f"-P/--params {command.params_var} must be a dict of parameter values, "
            f"not a {type(value).__name__}"
        )
    return value


def _execute(
    command: CypherCommand,
    target: Target,
    parameters: dict[str, Any],
    settings: MagicSettings,
) -> Any:
    connection = target.connection
    timeout = command.timeout if command.timeout is not None else settings.default_timeout
    if command.plan == "explain":
        return connection.explain(command.query, parameters, timeout=timeout)
    if command.plan == "profile":
        return connection.profile(command.query, parameters, timeout=timeout)
    if command.frame is not None:
        if command.limit is not None:  # the row cap lives on the JSON path
            capped = connection.query(
                command.query, parameters, timeout=timeout, max_rows=command.limit
            )
            return capped.to_polars() if command.frame == "polars" else capped.to_pandas()
        return connection.query_df(
            command.query, parameters, backend=command.frame, timeout=timeout
        )
    result = connection.query(command.query, parameters, timeout=timeout, max_rows=command.limit)
    return CypherResult.of(
        result,
        view=command.view or settings.default_view,
        display_limit=settings.display_limit,
        query=command.query,
        instance=target.label,
    )


def _error_message(
    error: GraphOLAPError,
    command: CypherCommand,
    session: CypherSession,
    target: Target | None,
) -> str:
    if isinstance(error, QueryError):
        return query_error_message(error, command.query)
    if isinstance(error, QueryTimeoutError):
        limit = command.timeout or DEFAULT_QUERY_TIMEOUT
        return (
            f"The query ran past its time limit ({limit:g} s) and was stopped; the instance "
            "keeps serving. Raise it with --timeout S (up to 1800) or narrow the query"
        )
    if target is not None and isinstance(error, APIConnectionError | ServiceUnavailableError):
        message = session.describe_unreachable(target, error)
        session.forget(target.instance_id)
        return message
    if target is not None and isinstance(error, NotFoundError | InvalidStateError):
        message = session.describe_unreachable(target, error)
        session.forget(target.instance_id)
        return message
    return f"{type(error).__name__}: {error}"


def _cancel_message(target: Target, seconds: float) -> str:
    state = target.connection.last_cancel
    where = f"instance {target.label}"
    if state == "cancelled":
        return f"Query cancelled (Ctrl-C) after {seconds:.1f} s: {where} stopped it"
    if state == "abandoned":
        return (
            f"Query cancelled (Ctrl-C) after {seconds:.1f} s. The engine of {where} cannot stop "
            "a running query: it runs until its timeout and its answer is dropped"
        )
    if state == "unreachable":
        return (
            f"Query interrupted (Ctrl-C) after {seconds:.1f} s; {where} did not answer the cancel"
        )
    return f"Query interrupted (Ctrl-C) after {seconds:.1f} s; it had finished on {where}"


def _feedback(
    value: Any,
    target: Target,
    elapsed_ms: float,
    command: CypherCommand,
    settings: MagicSettings,
    parameters: Mapping[str, Any],
) -> str:
    where = f"instance {target.label}"
    if isinstance(value, QueryPlan):
        line = f"{value.mode.capitalize()} in {elapsed_ms:.1f} ms on {where}"
    elif isinstance(value, QueryResult):
        rows = len(value.rows)
        line = (
            f"{rows:,} row{'s' if rows != 1 else ''} in {elapsed_ms:.1f} ms "
            f"(engine {value.execution_time_ms:.1f} ms) on {where}"
        )
        if value.truncated:
            cap = "--limit" if command.limit is not None else "its row cap"
            line += (
                f"\nTruncated: the instance sent its first {rows:,} rows ({cap}). "
                "Use --df or --polars for every row (Arrow), or narrow the query"
            )
        if rows > settings.display_limit:
            line += (
                f"\nThe table shows the first {settings.display_limit:,} of {rows:,} rows "
                "(%config CypherMagic.display_limit = N); the result holds them all"
            )
    else:
        shape = getattr(value, "shape", None)
        size = f"{shape[0]:,} rows, {shape[1]} columns" if shape else type(value).__name__
        line = f"DataFrame of {size} in {elapsed_ms:.1f} ms on {where}"
    if settings.feedback >= 2 and parameters:
        line += "\nParameters: " + ", ".join(f"${name}" for name in parameters)
    return line
