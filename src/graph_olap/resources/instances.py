"""Instances: a graph engine process loaded from a snapshot, queried with Cypher.

The usual path is one call: ``create_from_mapping_and_wait(mapping_id, name)`` exports the
mapping's rows to a new snapshot, starts an instance from it and returns once it is running;
``connect(instance.id)`` then gives an ``InstanceConnection`` for queries.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from graph_olap._progress import ProgressCallback, ProgressReporter, poll
from graph_olap.config import Config
from graph_olap.durations import format_duration
from graph_olap.exceptions import GraphOLAPTimeoutError, InstanceFailedError, InvalidStateError
from graph_olap.http import HTTPClient
from graph_olap.instance._recent import remember_instance
from graph_olap.instance.connection import InstanceConnection
from graph_olap.models import (
    Instance,
    InstanceEvent,
    InstanceProgress,
    UserInstanceStatus,
    WrapperType,
)
from graph_olap.pagination import PaginatedList, paginated_from_response
from graph_olap.resources._base import (
    UNSET,
    Resource,
    Unset,
    data_of,
    drop_none,
    duration_param,
    timestamp_param,
)

__all__ = ["InstanceResource"]

MAX_PAGE_SIZE = 100
Duration = str | timedelta
WrapperName = str | WrapperType

# Bar text by phase; other phases are shown as they are.
_PHASE_LABELS = {
    "exporting": "exporting snapshot",
    "submitting": "exporting snapshot",
    "creating": "exporting snapshot",
    "initializing": "starting engine",
    "loading_nodes": "loading nodes",
    "loading_edges": "loading edges",
    "ready": "running",
}


class InstanceResource(Resource):
    """``client.instances``: create, follow, connect to, change and stop instances."""

    def __init__(
        self,
        http: HTTPClient,
        config: Config | None = None,
        *,
        connection_transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(http)
        self._config = config or http.config
        self._connection_transport = connection_transport

    # -- reading ----------------------------------------------------------------------------

    def list(
        self,
        snapshot_id: int | None = None,
        owner: str | None = None,
        status: str | None = None,
        search: str | None = None,
        created_after: str | datetime | None = None,
        created_before: str | datetime | None = None,
        sort_by: str = "created_at",
        sort_order: str = "desc",
        offset: int = 0,
        limit: int = 50,
    ) -> PaginatedList[Instance]:
        """One page of instances, newest first by default.

        ``status`` is one of ``waiting_for_snapshot``, ``starting``, ``running``, ``stopping``,
        ``failed``; ``sort_by`` one of ``name``, ``created_at``, ``status``,
        ``last_activity_at``, ``memory_usage_bytes``. ``limit`` is capped at 100.
        """
        params = drop_none(
            {
                "snapshot_id": snapshot_id,
                "owner": owner,
                "status": status,
                "search": search,
                "created_after": timestamp_param(created_after),
                "created_before": timestamp_param(created_before),
                "sort_by": sort_by,
                "sort_order": sort_order,
                "offset": offset,
                "limit": min(limit, MAX_PAGE_SIZE),
            }
        )
        return paginated_from_response(self._http.get("/api/instances", params=params), Instance)

    def get(self, instance_id: int) -> Instance:
        return Instance.from_api_response(data_of(self._http.get(_path(instance_id))))

    def get_progress(self, instance_id: int) -> InstanceProgress:
        """Start-up progress; while waiting for its snapshot, the snapshot's export steps."""
        body = self._http.get(f"{_path(instance_id)}/progress")
        return InstanceProgress.from_api_response(data_of(body))

    def get_events(
        self, instance_id: int, *, offset: int = 0, limit: int = 50
    ) -> PaginatedList[InstanceEvent]:
        """Resource events of the instance (``cpu_updated``, ``memory_upgraded``, ...)."""
        body = self._http.get(
            f"{_path(instance_id)}/events",
            params={"offset": offset, "limit": min(limit, MAX_PAGE_SIZE)},
        )
        return paginated_from_response(body, InstanceEvent)

    def get_user_status(self) -> UserInstanceStatus:
        """How many instances you have and how many more you may start."""
        body = self._http.get("/api/instances/user/status")
        return UserInstanceStatus.from_api_response(data_of(body))

    # -- creating ---------------------------------------------------------------------------

    def create(
        self,
        snapshot_id: int | None = None,
        name: str | None = None,
        description: str | None = None,
        ttl: Duration | None = None,
        inactivity_timeout: Duration | None = None,
        *,
        mapping_id: int | None = None,
        mapping_version: int | None = None,
        snapshot_name: str | None = None,
        wrapper_type: WrapperName | None = None,
        cpu_cores: int | None = None,
    ) -> Instance:
        """Create an instance from a mapping (``mapping_id=``) or an existing snapshot.

        Give exactly one of ``snapshot_id`` (a ``ready`` snapshot, else
        ``SnapshotNotReadyError``) and ``mapping_id`` (a new snapshot is exported first, as in
        :meth:`create_from_mapping`). Returns at once; wait with :meth:`wait_until_running`.
        """
        if (snapshot_id is None) == (mapping_id is None):
            raise ValueError("create() needs exactly one of snapshot_id= and mapping_id=")
        if not name:
            raise ValueError("create() needs name=")
        body = _create_body(
            name=name,
            snapshot_id=snapshot_id,
            mapping_id=mapping_id,
            mapping_version=mapping_version,
            snapshot_name=snapshot_name,
            wrapper_type=wrapper_type,
            description=description,
            ttl=ttl,
            inactivity_timeout=inactivity_timeout,
            cpu_cores=cpu_cores,
        )
        return Instance.from_api_response(data_of(self._http.post("/api/instances", json=body)))

    def create_from_mapping(
        self,
        mapping_id: int,
        name: str,
        *,
        wrapper_type: WrapperName | None = None,
        description: str | None = None,
        mapping_version: int | None = None,
        snapshot_name: str | None = None,
        ttl: Duration | None = None,
        inactivity_timeout: Duration | None = None,
        cpu_cores: int | None = None,
    ) -> Instance:
        """Export the mapping to a new snapshot and start an instance from it; returns at once.

        The instance is ``waiting_for_snapshot`` until the export is done, then ``starting``
        and finally ``running``. ``wrapper_type`` (``ladybug``, ``ryugraph``, ``falkordb``)
        defaults to the platform's configured engine; ``mapping_version`` to the current one;
        ``snapshot_name`` to ``name``. ``ttl`` / ``inactivity_timeout`` are ISO 8601 durations
        or timedeltas; ``cpu_cores`` (1-8) sets the engine's threads.

        Raises ``NotFoundError``, ``MappingVersionNotFoundError``, ``ValidationError`` or
        ``ConcurrencyLimitError`` (with ``limit_type``, ``current_count``, ``max_allowed``).
        """
        body = _create_body(
            name=name,
            snapshot_id=None,
            mapping_id=mapping_id,
            mapping_version=mapping_version,
            snapshot_name=snapshot_name,
            wrapper_type=wrapper_type,
            description=description,
            ttl=ttl,
            inactivity_timeout=inactivity_timeout,
            cpu_cores=cpu_cores,
        )
        body = self._http.post("/api/instances/from-mapping", json=body)
        return Instance.from_api_response(data_of(body))

    def create_from_mapping_and_wait(
        self,
        mapping_id: int,
        name: str,
        *,
        wrapper_type: WrapperName | None = None,
        description: str | None = None,
        mapping_version: int | None = None,
        snapshot_name: str | None = None,
        ttl: Duration | None = None,
        inactivity_timeout: Duration | None = None,
        cpu_cores: int | None = None,
        timeout: float = 900,
        poll_interval: float = 1.0,
        on_progress: ProgressCallback | None = None,
        show_progress: bool | None = None,
    ) -> Instance:
        """:meth:`create_from_mapping`, then :meth:`wait_until_running`; returns the instance.

        ``on_progress(phase, completed_steps, total_steps)`` follows the snapshot's export
        steps, then the engine's start-up steps. ``poll_interval`` is the longest gap between
        polls (the first come after 0.1 s). Raises ``InstanceFailedError`` (its
        ``error_code`` is ``DATA_LOAD_ERROR`` when the export failed, and its message names
        the definition) or ``GraphOLAPTimeoutError``. On a timeout or Ctrl-C the instance is
        left as it is: wait again, or stop it with :meth:`terminate`.
        """
        instance = self.create_from_mapping(
            mapping_id,
            name,
            wrapper_type=wrapper_type,
            description=description,
            mapping_version=mapping_version,
            snapshot_name=snapshot_name,
            ttl=ttl,
            inactivity_timeout=inactivity_timeout,
            cpu_cores=cpu_cores,
        )
        return self.wait_until_running(
            instance.id,
            timeout,
            poll_interval,
            on_progress=on_progress,
            show_progress=show_progress,
        )

    def create_and_wait(
        self,
        snapshot_id: int,
        name: str,
        *,
        description: str | None = None,
        ttl: Duration | None = None,
        inactivity_timeout: Duration | None = None,
        wrapper_type: WrapperName | None = None,
        timeout: float = 300,
        poll_interval: float = 1.0,
        on_progress: ProgressCallback | None = None,
        show_progress: bool | None = None,
    ) -> Instance:
        """:meth:`create` from a ready snapshot, then :meth:`wait_until_running`."""
        instance = self.create(
            snapshot_id,
            name,
            description,
            ttl,
            inactivity_timeout,
            wrapper_type=wrapper_type,
        )
        return self.wait_until_running(
            instance.id,
            timeout,
            poll_interval,
            on_progress=on_progress,
            show_progress=show_progress,
        )

    def wait_until_running(
        self,
        instance_id: int,
        timeout: float = 300,
        poll_interval: float = 1.0,
        *,
        on_progress: ProgressCallback | None = None,
        show_progress: bool | None = None,
    ) -> Instance:
        """Poll the instance's progress until it is ``running``; return the instance.

        See :meth:`create_from_mapping_and_wait` for the callback, the bar and the errors.
        """
        last: list[InstanceProgress] = []
        total_seen = [0]

        def check() -> Instance | None:
            progress = self.get_progress(instance_id)
            last[:] = [progress]
            completed, total = progress.completed_steps, progress.total_steps
            if progress.status == "running":
                # The running answer carries no steps: report the last ones as all done.
                total = total or total_seen[0]
                completed = total
            total_seen[0] = total or total_seen[0]
            phase = progress.phase or progress.status
            label = _PHASE_LABELS.get(phase, phase.replace("_", " "))
            reporter.update(
                phase,
                completed,
                total,
                label=label,
                status=progress.status,
                # The running answer has no steps: the widget keeps the last ones.
                steps=progress.steps or None,
            )
            if progress.status == "running":
                instance = self.get(instance_id)
                remember_instance(instance.id, instance.name)  # %cypher's "last instance"
                return instance
            if progress.status in ("failed", "stopping"):
                raise self._failed(instance_id, progress)
            return None

        def timed_out() -> GraphOLAPTimeoutError:
            state = ""
            if last:
                p = last[0]
                state = f" (status {p.status}, phase {p.phase}, {p.completed_steps}/"
                state += f"{p.total_steps} steps)"
            return GraphOLAPTimeoutError(
                f"Instance {instance_id} was not running after {timeout:g} s{state}. It was left "
                f"as it is: wait again with client.instances.wait_until_running({instance_id}) "
                f"or stop it with client.instances.terminate({instance_id})."
            )

        title = f"Instance {instance_id}"
        with ProgressReporter(on_progress, show_progress, title=title) as reporter:
            return poll(check, timeout=timeout, poll_interval=poll_interval, on_timeout=timed_out)

    # -- connecting -------------------------------------------------------------------------

    def connect(self, instance_id: int, *, timeout: float = 60.0) -> InstanceConnection:
        """An ``InstanceConnection`` to a running instance, with this client's credentials.

        ``InvalidStateError`` when the instance is not ``running``.
        """
        instance = self.get(instance_id)
        if instance.status != "running" or not instance.instance_url:
            hint = ""
            if instance.status in ("waiting_for_snapshot", "starting"):
                hint = f"; wait with client.instances.wait_until_running({instance_id})"
            elif instance.status == "failed":
                hint = f" ({instance.error_code}: {instance.error_message})"
            raise InvalidStateError(
                f"Instance {instance_id} is not running (status: {instance.status}){hint}",
                code="INVALID_STATE",
                details={"current_status": instance.status},
            )
        return InstanceConnection(
            instance.instance_url,
            instance.id,
            timeout=timeout,
            name=instance.name,
            status=instance.status,
            snapshot_id=instance.snapshot_id,
            config=self._config,
            http_transport=self._connection_transport,
        )

    # -- changing ---------------------------------------------------------------------------

    def update(
        self,
        instance_id: int,
        *,
        name: str | None = None,
        description: str | None = None,
    ) -> Instance:
        """Rename or re-describe an instance; only what you pass is sent."""
        body = drop_none({"name": name, "description": description})
        if not body:
            raise ValueError("update() needs name= and/or description=")
        return Instance.from_api_response(data_of(self._http.put(_path(instance_id), json=body)))

    def update_cpu(self, instance_id: int, cpu_cores: int) -> Instance:
        """Set the engine's CPU cores (1-8) of a running instance, without restarting it."""
        body = self._http.put(f"{_path(instance_id)}/cpu", json={"cpu_cores": cpu_cores})
        return self._instance_from(body, instance_id)

    def set_lifecycle(
        self,
        instance_id: int,
        ttl: Duration | Unset | None = UNSET,
        inactivity_timeout: Duration | Unset | None = UNSET,
    ) -> Instance:
        """Set when the instance is stopped. Omitted = unchanged; ``None`` = never.

        ``ttl`` counts from the instance's creation (``expires_at = created_at + ttl``);
        ``inactivity_timeout`` from its last query. ``ValidationError`` past the platform's
        maximum or when the inactivity timeout exceeds the ttl.
        """
        body: dict[str, Any] = {}
        if not isinstance(ttl, Unset):
            body["ttl"] = duration_param(ttl)
        if not isinstance(inactivity_timeout, Unset):
            body["inactivity_timeout"] = duration_param(inactivity_timeout)
        if not body:
            raise ValueError("set_lifecycle() needs ttl= and/or inactivity_timeout=")
        answer = self._http.put(f"{_path(instance_id)}/lifecycle", json=body)
        return self._instance_from(answer, instance_id)

    def extend_ttl(self, instance_id: int, hours: float = 24) -> Instance:
        """Push the instance's expiry ``hours`` later (from now if it had none or is overdue).

        The ttl counts from creation, so the new ttl is ``new expiry - created_at``.
        ``ValidationError`` if that passes the platform's maximum (P7D by default).
        """
        if hours <= 0:
            raise ValueError(f"hours must be positive, got {hours!r}")
        instance = self.get(instance_id)
        now = datetime.now(UTC)
        current = _aware(instance.expires_at) if instance.expires_at else now
        new_expiry = max(current, now) + timedelta(hours=hours)
        ttl = new_expiry - _aware(instance.created_at)
        # Whole seconds, rounded up so that the expiry is never earlier than asked.
        ttl_text = format_duration(timedelta(seconds=math.ceil(ttl.total_seconds())))
        return self.set_lifecycle(instance_id, ttl=ttl_text)

    # -- stopping ---------------------------------------------------------------------------

    def terminate(self, instance_id: int) -> None:
        """Stop the instance's process and delete it (the same as :meth:`delete`)."""
        self._http.post(f"{_path(instance_id)}/terminate")

    def delete(self, instance_id: int) -> None:
        """Stop the instance's process and delete it."""
        self._http.delete(_path(instance_id))

    # -- helpers ----------------------------------------------------------------------------

    def _instance_from(self, body: dict[str, Any], instance_id: int) -> Instance:
        # Some answers carry only the changed fields; fall back to reading the instance.
        data = body.get("data") if body else None
        if isinstance(data, dict) and {"status", "owner_username", "created_at"} <= set(data):
            return Instance.from_api_response(data)
        return self.get(instance_id)

    def _failed(self, instance_id: int, progress: InstanceProgress) -> InstanceFailedError:
        code, message = progress.error_code, progress.error_message
        if progress.status == "failed" and not (code and message):
            instance = self.get(instance_id)
            code = code or instance.error_code
            message = message or instance.error_message
        if progress.status == "stopping":
            message = message or "the instance was terminated while waiting for it"
        label = f"[{code}] " if code else ""
        return InstanceFailedError(
            f"Instance {instance_id} {progress.status}: {label}{message or 'no error message'}",
            code=code,
            details={
                "instance_id": instance_id,
                "status": progress.status,
                "error_code": code,
                "error_message": message,
                "phase": progress.phase,
            },
        )


def _create_body(
    *,
    name: str,
    snapshot_id: int | None,
    mapping_id: int | None,
    mapping_version: int | None,
    snapshot_name: str | None,
    wrapper_type: WrapperName | None,
    description: str | None,
    ttl: Duration | None,
    inactivity_timeout: Duration | None,
    cpu_cores: int | None,
) -> dict[str, Any]:
    return drop_none(
        {
            "name": name,
            "snapshot_id": snapshot_id,
            "mapping_id": mapping_id,
            "mapping_version": mapping_version,
            "snapshot_name": snapshot_name,
            "wrapper_type": None if wrapper_type is None else str(wrapper_type),
            "description": description,
            "ttl": duration_param(ttl),
            "inactivity_timeout": duration_param(inactivity_timeout),
            "cpu_cores": cpu_cores,
        }
    )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _path(instance_id: int) -> str:
    return f"/api/instances/{int(instance_id)}"
