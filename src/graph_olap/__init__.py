"""graph-olap: notebook-first graph analytics on warehouse data.

>>> from graph_olap import GraphOLAPClient
>>> client = GraphOLAPClient.from_env()
>>> client.mappings.list()
"""

import logging

from graph_olap._version import __version__
from graph_olap.client import GraphOLAPClient
from graph_olap.config import Config
from graph_olap.exceptions import (
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
from graph_olap.models import (
    EdgeDefinition,
    HealthStatus,
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
)
from graph_olap.pagination import PaginatedList

# Libraries log; applications decide where logs go.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "APIConnectionError",
    "AlgorithmFailedError",
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
    "HealthStatus",
    "InstanceFailedError",
    "InvalidStateError",
    "Mapping",
    "MappingDiff",
    "MappingInstance",
    "MappingLifecycle",
    "MappingTree",
    "MappingVersion",
    "MappingVersionNotFoundError",
    "NodeDefinition",
    "NotFoundError",
    "PaginatedList",
    "PermissionDeniedError",
    "PrimaryKeyDefinition",
    "PropertyDefinition",
    "QueryTimeoutError",
    "RateLimitError",
    "ResourceLockedError",
    "RyugraphError",
    "ServerError",
    "ServiceUnavailableError",
    "Snapshot",
    "SnapshotFailedError",
    "SnapshotNotReadyError",
    "StarburstError",
    "ValidationError",
    "__version__",
]
