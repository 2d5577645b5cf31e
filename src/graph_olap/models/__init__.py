"""Pydantic wire models shared by the SDK and the platform."""

from graph_olap.models.common import InputModel, WireModel
from graph_olap.models.mapping import (
    DiffChanges,
    DiffSummary,
    EdgeDefinition,
    EdgeDiff,
    Mapping,
    MappingDiff,
    MappingInstance,
    MappingLifecycle,
    MappingTree,
    MappingVersion,
    NodeDefinition,
    NodeDiff,
    PrimaryKeyDefinition,
    PropertyDefinition,
    RyuType,
    TreeInstance,
    TreeSnapshot,
    TreeTotals,
    TreeVersion,
)
from graph_olap.models.ops import HealthStatus
from graph_olap.models.snapshot import Snapshot

__all__ = [
    "DiffChanges",
    "DiffSummary",
    "EdgeDefinition",
    "EdgeDiff",
    "HealthStatus",
    "InputModel",
    "Mapping",
    "MappingDiff",
    "MappingInstance",
    "MappingLifecycle",
    "MappingTree",
    "MappingVersion",
    "NodeDefinition",
    "NodeDiff",
    "PrimaryKeyDefinition",
    "PropertyDefinition",
    "RyuType",
    "Snapshot",
    "TreeInstance",
    "TreeSnapshot",
    "TreeTotals",
    "TreeVersion",
    "WireModel",
]
