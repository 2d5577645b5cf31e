"""graph-olap: notebook-first graph analytics on warehouse data.

>>> from graph_olap import GraphOLAPClient
>>> client = GraphOLAPClient.from_env()
>>> client.mappings.list()
>>> conn = client.quick_start(mapping_id=1)
>>> conn.query("MATCH (c:Customer) RETURN c.name LIMIT 5").to_pandas()
>>> conn.algo.pagerank(node_label="Customer").summary
"""

import logging
from typing import Any

from graph_olap._version import __version__
from graph_olap.client import GraphOLAPClient
from graph_olap.config import Config
from graph_olap.exceptions import (
    AlgorithmCancelledError,
    AlgorithmFailedError,
    AlgorithmNotFoundError,
    AlgorithmTimeoutError,
    AlreadyExistsError,
    APIConnectionError,
    AuthenticationError,
    ConcurrencyLimitError,
    ConflictError,
    DependencyError,
    ExecutionNotFoundError,
    FalkorDBError,
    ForbiddenError,
    GCSError,
    GraphOLAPError,
    GraphOLAPTimeoutError,
    InstanceFailedError,
    InvalidStateError,
    MappingVersionNotFoundError,
    NotFoundError,
    PermissionDeniedError,
    QueryError,
    QueryTimeoutError,
    RateLimitError,
    ResourceLockedError,
    RyugraphError,
    ServerError,
    ServiceUnavailableError,
    SnapshotFailedError,
    SnapshotNotReadyError,
    StarburstError,
    ValidationError,
)

# Reachable as graph_olap.TimeoutError, but not star-exported: it would hide the builtin.
from graph_olap.exceptions import TimeoutError as TimeoutError
from graph_olap.instance import AlgorithmManager, InstanceConnection, NetworkXManager, QueryResult
from graph_olap.models import (
    AlgorithmExecution,
    EdgeDefinition,
    GraphSchema,
    HealthStatus,
    Instance,
    InstanceEvent,
    InstanceProgress,
    InstanceStatus,
    LockStatus,
    Mapping,
    MappingDiff,
    MappingInstance,
    MappingLifecycle,
    MappingTree,
    MappingVersion,
    NodeDefinition,
    PrimaryKeyDefinition,
    PropertyDefinition,
    Snapshot,
    SnapshotProgress,
    UserInstanceStatus,
    WrapperType,
)
from graph_olap.pagination import PaginatedList

# Libraries log; applications decide where logs go.
logging.getLogger(__name__).addHandler(logging.NullHandler())


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext graph_olap``: the ``%cypher`` magics and the notebook stylesheet."""
    from graph_olap.jupyter import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext graph_olap``: remove the magics."""
    from graph_olap.jupyter import unload_ipython_extension as unload

    unload(ipython)


def get_notebook_css() -> str:
    """The packaged notebook stylesheet (light and dark themes), e.g. for a custom.css."""
    from graph_olap.jupyter.styles import get_notebook_css as notebook_css

    return notebook_css()


__all__ = [
    "APIConnectionError",
    "AlgorithmCancelledError",
    "AlgorithmExecution",
    "AlgorithmFailedError",
    "AlgorithmManager",
    "AlgorithmNotFoundError",
    "AlgorithmTimeoutError",
    "AlreadyExistsError",
    "AuthenticationError",
    "ConcurrencyLimitError",
    "Config",
    "ConflictError",
    "DependencyError",
    "EdgeDefinition",
    "ExecutionNotFoundError",
    "FalkorDBError",
    "ForbiddenError",
    "GCSError",
    "GraphOLAPClient",
    "GraphOLAPError",
    "GraphOLAPTimeoutError",
    "GraphSchema",
    "HealthStatus",
    "Instance",
    "InstanceConnection",
    "InstanceEvent",
    "InstanceFailedError",
    "InstanceProgress",
    "InstanceStatus",
    "InvalidStateError",
    "LockStatus",
    "Mapping",
    "MappingDiff",
    "MappingInstance",
    "MappingLifecycle",
    "MappingTree",
    "MappingVersion",
    "MappingVersionNotFoundError",
    "NetworkXManager",
    "NodeDefinition",
    "NotFoundError",
    "PaginatedList",
    "PermissionDeniedError",
    "PrimaryKeyDefinition",
    "PropertyDefinition",
    "QueryError",
    "QueryResult",
    "QueryTimeoutError",
    "RateLimitError",
    "ResourceLockedError",
    "RyugraphError",
    "ServerError",
    "ServiceUnavailableError",
    "Snapshot",
    "SnapshotFailedError",
    "SnapshotNotReadyError",
    "SnapshotProgress",
    "StarburstError",
    "UserInstanceStatus",
    "ValidationError",
    "WrapperType",
    "__version__",
    "get_notebook_css",
    "load_ipython_extension",
    "unload_ipython_extension",
]
