"""The instance's mapping: what to load, from the internal API or a local snapshot directory."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from graph_olap_platform.wrapper.engines.base import EdgeSpec, NodeSpec, PropertySpec
from graph_olap_platform.wrapper.engines.kuzu_values import arrow_to_kuzu_type


class MappingError(Exception):
    """The mapping or snapshot is unusable (``MAPPING_FETCH_ERROR``)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Property(_Model):
    name: str
    type: str
    nullable: bool = True


class _Key(_Model):
    name: str
    type: str


class _Node(_Model):
    label: str
    primary_key: _Key
    properties: list[_Property] = Field(default_factory=list)


class _Edge(_Model):
    type: str
    from_node: str
    to_node: str
    from_key: str
    to_key: str
    properties: list[_Property] = Field(default_factory=list)


class _Payload(_Model):
    """``GET /api/internal/instances/{id}/mapping`` (and the standalone mapping file)."""

    instance_id: int | None = None
    snapshot_id: int | None = None
    mapping_id: int | None = None
    mapping_version: int | None = None
    snapshot_path: str | None = None
    wrapper_type: str | None = None
    owner_username: str | None = None
    node_definitions: list[_Node] = Field(default_factory=list)
    edge_definitions: list[_Edge] = Field(default_factory=list)


@dataclass
class InstanceMapping:
    snapshot_path: Path
    nodes: list[NodeSpec]
    edges: list[EdgeSpec]
    instance_id: int | None = None
    snapshot_id: int | None = None
    mapping_id: int | None = None
    mapping_version: int | None = None
    wrapper_type: str | None = None
    owner_username: str | None = None
    expected_rows: dict[str, int] = field(default_factory=dict)  # label/type -> manifest rows

    @property
    def node_labels(self) -> list[str]:
        return [node.label for node in self.nodes]

    @property
    def edge_types(self) -> list[str]:
        return [edge.type for edge in self.edges]


def _prop(item: _Property | _Key) -> PropertySpec:
    return PropertySpec(
        name=item.name,
        type=item.type.upper(),
        nullable=item.nullable if isinstance(item, _Property) else False,
    )


def _first(value: int | None, fallback: Any) -> int | None:
    if value is not None:
        return value
    return fallback if isinstance(fallback, int) else None


def read_manifest(snapshot: Path) -> dict[str, Any] | None:
    path = snapshot / "manifest.json"
    if not path.is_file():
        return None
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise MappingError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MappingError(f"{path} must hold a JSON object")
    return data


def from_payload(payload: dict[str, Any], *, snapshot_path: Path | None = None) -> InstanceMapping:
    """Build the load plan from a mapping answer; files come from the snapshot's manifest."""
    if isinstance(payload.get("data"), dict):  # tolerate the public envelope
        payload = payload["data"]
    try:
        parsed = _Payload.model_validate(payload)
    except ValidationError as exc:
        raise MappingError(f"Invalid mapping: {exc}") from exc
    root = snapshot_path or (Path(parsed.snapshot_path) if parsed.snapshot_path else None)
    if root is None:
        raise MappingError("The mapping names no snapshot_path")
    if not root.is_dir():
        raise MappingError(f"Snapshot directory not found: {root}")
    manifest = read_manifest(root) or {}
    files: dict[tuple[str, str], tuple[Path, int | None]] = {}
    for kind, key in (("nodes", "label"), ("edges", "type")):
        for entry in manifest.get(kind) or []:
            if isinstance(entry, dict) and key in entry and "file" in entry:
                rows = entry.get("row_count")
                files[(kind, str(entry[key]))] = (
                    root / str(entry["file"]),
                    int(rows) if isinstance(rows, int) else None,
                )

    def locate(kind: str, name: str) -> tuple[Path, int | None]:
        return files.get((kind, name), (root / kind / f"{name}.parquet", None))

    nodes: list[NodeSpec] = []
    expected: dict[str, int] = {}
    for node in parsed.node_definitions:
        path, rows = locate("nodes", node.label)
        nodes.append(
            NodeSpec(
                label=node.label,
                primary_key=_prop(node.primary_key),
                properties=[_prop(p) for p in node.properties],
                parquet=path,
            )
        )
        if rows is not None:
            expected[node.label] = rows
    edges: list[EdgeSpec] = []
    for edge in parsed.edge_definitions:
        path, rows = locate("edges", edge.type)
        edges.append(
            EdgeSpec(
                type=edge.type,
                from_node=edge.from_node,
                to_node=edge.to_node,
                from_key=edge.from_key,
                to_key=edge.to_key,
                properties=[_prop(p) for p in edge.properties],
                parquet=path,
            )
        )
        if rows is not None:
            expected[edge.type] = rows
    return InstanceMapping(
        snapshot_path=root,
        nodes=nodes,
        edges=edges,
        instance_id=parsed.instance_id,
        snapshot_id=_first(parsed.snapshot_id, manifest.get("snapshot_id")),
        mapping_id=_first(parsed.mapping_id, manifest.get("mapping_id")),
        mapping_version=_first(parsed.mapping_version, manifest.get("mapping_version")),
        wrapper_type=parsed.wrapper_type,
        owner_username=parsed.owner_username,
        expected_rows=expected,
    )


def definitions_from_manifest(snapshot: Path) -> dict[str, Any]:
    """Definitions derived from a snapshot alone: first column the key, Parquet types as types.

    Edge entries must name ``from_node`` and ``to_node``; their first two columns are the keys.
    """
    manifest = read_manifest(snapshot)
    if manifest is None:
        raise MappingError(f"{snapshot} has no manifest.json and no mapping file was given")

    def columns(entry: dict[str, Any]) -> list[tuple[str, str]]:
        schema = pq.read_schema(snapshot / str(entry["file"]))
        return [(f.name, arrow_to_kuzu_type(f.type)) for f in schema]

    def as_type(kuzu_type: str) -> str:
        if kuzu_type.endswith("]"):
            return "LIST"
        return kuzu_type.split("(", 1)[0]

    nodes = []
    for entry in manifest.get("nodes") or []:
        cols = columns(entry)
        nodes.append(
            {
                "label": entry["label"],
                "primary_key": {"name": cols[0][0], "type": as_type(cols[0][1])},
                "properties": [{"name": n, "type": as_type(t)} for n, t in cols[1:]],
            }
        )
    edges = []
    for entry in manifest.get("edges") or []:
        cols = columns(entry)
        edges.append(
            {
                "type": entry["type"],
                "from_node": entry["from_node"],
                "to_node": entry["to_node"],
                "from_key": cols[0][0],
                "to_key": cols[1][0],
                "properties": [{"name": n, "type": as_type(t)} for n, t in cols[2:]],
            }
        )
    return {"node_definitions": nodes, "edge_definitions": edges}


def standalone_mapping(snapshot: Path | None, mapping_file: Path | None) -> InstanceMapping:
    """The mapping of a standalone wrapper: definitions from a file, else from the manifest.

    The snapshot directory is ``snapshot`` or, failing that, the file's ``snapshot_path``.
    """
    if mapping_file is not None:
        try:
            payload = orjson.loads(mapping_file.read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            raise MappingError(f"Cannot read mapping file {mapping_file}: {exc}") from exc
        if not isinstance(payload, dict):
            raise MappingError(f"{mapping_file} must hold a JSON object")
    elif snapshot is not None:
        payload = definitions_from_manifest(snapshot)
    else:
        raise MappingError(
            "Standalone mode needs GRAPH_OLAP_WRAPPER_SNAPSHOT_PATH or _MAPPING_FILE "
            "(or GRAPH_OLAP_WRAPPER_CONTROL_PLANE_URL)"
        )
    return from_payload(payload, snapshot_path=snapshot)
