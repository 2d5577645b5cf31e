"""``GraphOLAPClient``: the entry point that groups the platform's resources."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

import httpx

from graph_olap._progress import ProgressCallback
from graph_olap.config import Config
from graph_olap.http import HTTPClient
from graph_olap.instance.connection import InstanceConnection
from graph_olap.models import WrapperType
from graph_olap.resources import (
    HealthResource,
    InstanceResource,
    MappingResource,
    SnapshotResource,
)

__all__ = ["GraphOLAPClient"]


class GraphOLAPClient:
    """Client of a Graph OLAP control plane.

    Authentication, in priority order: ``internal_api_key`` (``X-Internal-Api-Key``, for
    platform services), ``api_key`` (``Authorization: Bearer``), ``username`` (``X-Username``,
    only accepted by a platform running in dev mode).

    Example::

        with GraphOLAPClient("http://localhost:8000", username="alice") as client:
            for mapping in client.mappings.list():
                print(mapping.id, mapping.name)
            with client.quick_start(mapping_id=1) as conn:
                print(conn.query_scalar("MATCH (n) RETURN count(n)"))
    """

    mappings: MappingResource
    snapshots: SnapshotResource
    instances: InstanceResource
    health: HealthResource

    def __init__(
        self,
        api_url: str,
        api_key: str | None = None,
        internal_api_key: str | None = None,
        username: str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 3,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        config = Config(
            api_url=api_url,
            api_key=api_key,
            internal_api_key=internal_api_key,
            username=username,
            timeout=timeout,
            max_retries=max_retries,
        )
        self._setup(config, transport)

    def _setup(self, config: Config, transport: httpx.BaseTransport | None) -> None:
        self._config = config
        self._http = HTTPClient(config, transport=transport)
        self.mappings = MappingResource(self._http)
        self.snapshots = SnapshotResource(self._http)
        self.instances = InstanceResource(self._http, config, connection_transport=transport)
        self.health = HealthResource(self._http)

    @classmethod
    def from_config(cls, config: Config, *, transport: httpx.BaseTransport | None = None) -> Self:
        """A client for an existing ``Config`` (keeps its in-cluster and namespace settings)."""
        client = cls.__new__(cls)
        client._setup(config, transport)
        return client

    @classmethod
    def from_env(
        cls,
        api_url: str | None = None,
        api_key: str | None = None,
        internal_api_key: str | None = None,
        username: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        **kwargs: Any,
    ) -> Self:
        """A client configured from ``GRAPH_OLAP_*`` variables; arguments that are not None win.

        Variables: ``GRAPH_OLAP_API_URL``, ``GRAPH_OLAP_API_KEY``,
        ``GRAPH_OLAP_INTERNAL_API_KEY``, ``GRAPH_OLAP_USERNAME``, ``GRAPH_OLAP_IN_CLUSTER_MODE``
        and ``GRAPH_OLAP_NAMESPACE``. Without a URL the client uses the in-cluster service when
        in-cluster mode is on, else ``http://localhost:8000``. ``kwargs`` are further ``Config``
        fields (``timeout``, ``max_retries``, ``in_cluster``, ``namespace``).
        """
        config = Config.from_env(
            api_url=api_url,
            api_key=api_key,
            internal_api_key=internal_api_key,
            username=username,
            **kwargs,
        )
        return cls.from_config(config, transport=transport)

    @property
    def config(self) -> Config:
        return self._config

    def quick_start(
        self,
        mapping_id: int,
        wrapper_type: str | WrapperType | None = None,
        *,
        instance_name: str | None = None,
        snapshot_name: str | None = None,
        wait_timeout: float = 900,
        on_progress: ProgressCallback | None = None,
        show_progress: bool | None = None,
    ) -> InstanceConnection:
        """From a mapping to a connection in one call: create an instance, wait, connect.

        ``wrapper_type`` defaults to the platform's engine; ``instance_name`` to
        ``"Quick Instance"``. Progress, errors and Ctrl-C behave as in
        ``instances.create_from_mapping_and_wait``. The instance keeps running after the
        connection is closed: stop it with ``client.instances.terminate(conn.instance_id)``.
        """
        instance = self.instances.create_from_mapping_and_wait(
            mapping_id,
            instance_name or "Quick Instance",
            wrapper_type=wrapper_type,
            snapshot_name=snapshot_name,
            timeout=wait_timeout,
            on_progress=on_progress,
            show_progress=show_progress,
        )
        return self.instances.connect(instance.id)

    def close(self) -> None:
        """Release the connection pool; the client cannot be used afterwards."""
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
        # The credential itself is never shown, only which kind is in use.
        who = f", username={self._config.username!r}" if self._config.username else ""
        return (
            f"GraphOLAPClient(api_url={self._config.api_url!r}, "
            f"auth={self._config.auth_mode!r}{who})"
        )
