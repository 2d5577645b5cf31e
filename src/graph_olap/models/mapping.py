"""Mapping wire models: definitions, mappings, versions, diffs and resource trees."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, SerializationInfo, SerializerFunctionWrapHandler, model_serializer

from graph_olap.models.common import InputModel, WireModel


class RyuType(StrEnum):
    """Column types a graph engine table can hold (the engine's own type names)."""

    STRING = "STRING"
    INT64 = "INT64"
    INT32 = "INT32"
    INT16 = "INT16"
    INT8 = "INT8"
    DOUBLE = "DOUBLE"
    FLOAT = "FLOAT"
    DATE = "DATE"
    TIMESTAMP = "TIMESTAMP"
    BOOL = "BOOL"
    BLOB = "BLOB"
    UUID = "UUID"
    LIST = "LIST"
    MAP = "MAP"
    STRUCT = "STRUCT"


class PropertyDefinition(InputModel):
    """A column of a node or edge query that becomes a typed graph property."""

    name: str
    type: str
    nullable: bool = True

    @model_serializer(mode="wrap")
    def _serialize(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        # `nullable` appears only when it differs from the default, as the server stores it.
        data: dict[str, Any] = handler(self)
        if self.nullable:
            data.pop("nullable", None)
        return data


class PrimaryKeyDefinition(InputModel):
    name: str
    type: str


class NodeDefinition(InputModel):
    """Rows of one SQL query become nodes with one label; the first column is the primary key."""

    label: str
    sql: str
    primary_key: PrimaryKeyDefinition
    properties: list[PropertyDefinition] = Field(default_factory=list)


class EdgeDefinition(InputModel):
    """Rows of one SQL query become relationships: from-key, to-key, then properties."""

    type: str
    from_node: str
    to_node: str
    sql: str
    from_key: str
    to_key: str
    properties: list[PropertyDefinition] = Field(default_factory=list)


class MappingVersion(WireModel):
    """One immutable version of a mapping's definitions.

    Version lists (``list_versions``) carry no definitions: there they are ``None``.
    """

    mapping_id: int | None = None
    version: int
    change_description: str | None = None
    node_definitions: list[NodeDefinition] | None = None
    edge_definitions: list[EdgeDefinition] | None = None
    created_at: datetime
    created_by: str | None = None
    created_by_name: str | None = None

    def _repr_html_(self) -> str:
        from graph_olap.jupyter.reprs import (
            mapping_version_html,
        )  # lazy: the models are shared with the server

        return mapping_version_html(self)


class Mapping(WireModel):
    """A mapping header; ``version`` holds the current version when fetched by id."""

    id: int
    owner_username: str
    name: str
    description: str | None = None
    current_version: int
    created_at: datetime
    updated_at: datetime
    ttl: str | None = None
    inactivity_timeout: str | None = None
    snapshot_count: int = 0
    version: MappingVersion | None = None

    @property
    def node_definitions(self) -> list[NodeDefinition]:
        return list(self.version.node_definitions or []) if self.version else []

    @property
    def edge_definitions(self) -> list[EdgeDefinition]:
        return list(self.version.edge_definitions or []) if self.version else []

    def _repr_html_(self) -> str:
        from graph_olap.jupyter.reprs import (
            mapping_html,
        )  # lazy: the models are shared with the server

        return mapping_html(self)


class MappingLifecycle(WireModel):
    id: int
    ttl: str | None = None
    inactivity_timeout: str | None = None
    updated_at: datetime


ChangeType = Literal["added", "removed", "modified"]


class DiffSummary(WireModel):
    nodes_added: int = 0
    nodes_removed: int = 0
    nodes_modified: int = 0
    edges_added: int = 0
    edges_removed: int = 0
    edges_modified: int = 0


class NodeDiff(WireModel):
    """How one node definition (matched by label) differs between two versions.

    For a modification, ``from_``/``to`` hold only the changed fields; for an addition or removal
    the missing side is ``None`` and the other holds the whole definition.
    """

    label: str
    change_type: ChangeType
    fields_changed: list[str] | None = None
    from_: dict[str, Any] | None = Field(default=None, alias="from")
    to: dict[str, Any] | None = None

    @model_serializer(mode="wrap")
    def _serialize(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        return _drop_empty_fields_changed(handler(self))


class EdgeDiff(WireModel):
    """How one edge definition (matched by type) differs between two versions."""

    type: str
    change_type: ChangeType
    fields_changed: list[str] | None = None
    from_: dict[str, Any] | None = Field(default=None, alias="from")
    to: dict[str, Any] | None = None

    @model_serializer(mode="wrap")
    def _serialize(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        return _drop_empty_fields_changed(handler(self))


def _drop_empty_fields_changed(data: dict[str, Any]) -> dict[str, Any]:
    # Only modifications list changed fields; additions and removals carry no such key.
    if data.get("fields_changed") is None:
        data.pop("fields_changed", None)
    return data


class DiffChanges(WireModel):
    nodes: list[NodeDiff] = Field(default_factory=list)
    edges: list[EdgeDiff] = Field(default_factory=list)


class MappingDiff(WireModel):
    mapping_id: int
    from_version: int
    to_version: int
    summary: DiffSummary
    changes: DiffChanges

    @property
    def has_changes(self) -> bool:
        return bool(self.changes.nodes or self.changes.edges)

    def _repr_html_(self) -> str:
        from graph_olap.jupyter.reprs import (
            mapping_diff_html,
        )  # lazy: the models are shared with the server

        return mapping_diff_html(self)


class TreeInstance(WireModel):
    id: int
    name: str
    status: str


class TreeSnapshot(WireModel):
    id: int
    name: str
    status: str
    created_at: datetime
    instance_count: int = 0
    instances: list[TreeInstance] = Field(default_factory=list)


class TreeVersion(WireModel):
    version: int
    change_description: str | None = None
    created_at: datetime
    snapshot_count: int = 0
    snapshots: list[TreeSnapshot] = Field(default_factory=list)


class TreeTotals(WireModel):
    version_count: int
    snapshot_count: int
    instance_count: int


class MappingTree(WireModel):
    """Versions → snapshots → instances of one mapping."""

    id: int
    name: str
    owner_username: str
    current_version: int
    versions: list[TreeVersion]
    totals: TreeTotals


class MappingInstance(WireModel):
    """An instance as listed under a mapping (``GET /api/mappings/{id}/instances``)."""

    id: int
    snapshot_id: int | None = None
    snapshot_name: str | None = None
    owner_username: str
    wrapper_type: str
    name: str
    status: str
    created_at: datetime
