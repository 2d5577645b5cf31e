"""Mappings: versioned descriptions of which warehouse rows become nodes and relationships."""

from __future__ import annotations

import builtins
from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from graph_olap.models import (
    EdgeDefinition,
    Mapping,
    MappingDiff,
    MappingInstance,
    MappingTree,
    MappingVersion,
    NodeDefinition,
    Snapshot,
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
    to_json_list,
)

__all__ = ["MAX_PAGE_SIZE", "MappingResource"]

MAX_PAGE_SIZE = 100

NodeDefinitions = Sequence[NodeDefinition | MappingABC[str, Any]]
EdgeDefinitions = Sequence[EdgeDefinition | MappingABC[str, Any]]
Duration = str | timedelta


class MappingResource(Resource):
    """``client.mappings``: create, version, inspect and delete mappings."""

    def list(
        self,
        owner: str | None = None,
        search: str | None = None,
        created_after: str | datetime | None = None,
        created_before: str | datetime | None = None,
        sort_by: str = "created_at",
        sort_order: str = "desc",
        offset: int = 0,
        limit: int = 50,
    ) -> PaginatedList[Mapping]:
        """One page of mappings, newest first by default.

        ``search`` matches name or description (case-insensitive); ``created_after`` and
        ``created_before`` are inclusive ISO 8601 bounds; ``sort_by`` is one of ``name``,
        ``created_at``, ``updated_at``, ``current_version``. ``limit`` is capped at 100.
        """
        params = drop_none(
            {
                "owner": owner,
                "search": search,
                "created_after": timestamp_param(created_after),
                "created_before": timestamp_param(created_before),
                "sort_by": sort_by,
                "sort_order": sort_order,
                "offset": offset,
                "limit": min(limit, MAX_PAGE_SIZE),
            }
        )
        return paginated_from_response(self._http.get("/api/mappings", params=params), Mapping)

    def get(self, mapping_id: int) -> Mapping:
        """The mapping with its current version's definitions (``mapping.version``)."""
        return Mapping.from_api_response(data_of(self._http.get(_path(mapping_id))))

    def get_version(self, mapping_id: int, version: int) -> MappingVersion:
        """One version with its definitions; ``MappingVersionNotFoundError`` if it is unknown."""
        body = self._http.get(f"{_path(mapping_id)}/versions/{version}")
        return MappingVersion.from_api_response(data_of(body))

    def list_versions(self, mapping_id: int) -> builtins.list[MappingVersion]:
        """Every version, newest first (headers only: definitions are ``None``)."""
        versions: builtins.list[MappingVersion] = []
        offset = 0
        while True:
            body = self._http.get(
                f"{_path(mapping_id)}/versions",
                params={"offset": offset, "limit": MAX_PAGE_SIZE},
            )
            page = paginated_from_response(body, MappingVersion)
            versions.extend(page.items)
            if not page.items or not page.has_more:
                return versions
            offset = page.offset + len(page.items)

    def list_snapshots(
        self, mapping_id: int, *, offset: int = 0, limit: int = 50
    ) -> PaginatedList[Snapshot]:
        """Snapshots of every version of the mapping."""
        body = self._http.get(
            f"{_path(mapping_id)}/snapshots",
            params={"offset": offset, "limit": min(limit, MAX_PAGE_SIZE)},
        )
        return paginated_from_response(body, Snapshot)

    def list_instances(
        self, mapping_id: int, *, offset: int = 0, limit: int = 50
    ) -> PaginatedList[MappingInstance]:
        """Instances started from any snapshot of the mapping."""
        body = self._http.get(
            f"{_path(mapping_id)}/instances",
            params={"offset": offset, "limit": min(limit, MAX_PAGE_SIZE)},
        )
        return paginated_from_response(body, MappingInstance)

    def create(
        self,
        name: str,
        description: str | None = None,
        node_definitions: NodeDefinitions = (),
        edge_definitions: EdgeDefinitions = (),
        ttl: Duration | None = None,
        inactivity_timeout: Duration | None = None,
    ) -> Mapping:
        """Create a mapping (version 1); you own it.

        Definitions may be ``NodeDefinition``/``EdgeDefinition`` objects or plain dicts. The
        server validates the whole mapping and a ``ValidationError`` lists every problem.
        ``ttl`` and ``inactivity_timeout`` are ISO 8601 durations (``"P7D"``) or timedeltas.
        """
        body = drop_none(
            {
                "name": name,
                "description": description,
                "node_definitions": to_json_list(node_definitions),
                "edge_definitions": to_json_list(edge_definitions),
                "ttl": duration_param(ttl),
                "inactivity_timeout": duration_param(inactivity_timeout),
            }
        )
        return Mapping.from_api_response(data_of(self._http.post("/api/mappings", json=body)))

    def update(
        self,
        mapping_id: int,
        change_description: str | None = None,
        node_definitions: NodeDefinitions | None = None,
        edge_definitions: EdgeDefinitions | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
    ) -> Mapping:
        """Change a mapping; only the arguments you pass are sent.

        New definitions create version ``current_version + 1`` and need ``change_description``.
        ``name``/``description`` alone change the header without a new version.
        ``change_description`` without new definitions describes no version: the server refuses
        it (``ValidationError``) and changes nothing.
        """
        body = drop_none(
            {
                "name": name,
                "description": description,
                "change_description": change_description,
                "node_definitions": (
                    None if node_definitions is None else to_json_list(node_definitions)
                ),
                "edge_definitions": (
                    None if edge_definitions is None else to_json_list(edge_definitions)
                ),
            }
        )
        if not body:
            raise ValueError(
                "update() needs something to change: pass node_definitions/edge_definitions "
                "(with change_description), name= or description="
            )
        return Mapping.from_api_response(data_of(self._http.put(_path(mapping_id), json=body)))

    def delete(self, mapping_id: int) -> None:
        """Delete a mapping; ``DependencyError`` while snapshots of it exist."""
        self._http.delete(_path(mapping_id))

    def copy(self, mapping_id: int, new_name: str | None = None) -> Mapping:
        """Copy the current definitions into a new mapping you own ("Copy of <name>" by default)."""
        body = drop_none({"name": new_name})
        return Mapping.from_api_response(
            data_of(self._http.post(f"{_path(mapping_id)}/copy", json=body))
        )

    def set_lifecycle(
        self,
        mapping_id: int,
        ttl: Duration | Unset | None = UNSET,
        inactivity_timeout: Duration | Unset | None = UNSET,
    ) -> Mapping:
        """Set when the mapping expires. Omitted = unchanged; ``None`` = never (clears it)."""
        body: dict[str, Any] = {}
        if not isinstance(ttl, Unset):
            body["ttl"] = duration_param(ttl)
        if not isinstance(inactivity_timeout, Unset):
            body["inactivity_timeout"] = duration_param(inactivity_timeout)
        if not body:
            raise ValueError("set_lifecycle() needs ttl= and/or inactivity_timeout=")
        self._http.put(f"{_path(mapping_id)}/lifecycle", json=body)
        # The endpoint answers with the lifecycle fields only; callers expect the whole mapping.
        return self.get(mapping_id)

    def get_tree(
        self,
        mapping_id: int,
        *,
        include_instances: bool = True,
        status: str | None = None,
    ) -> MappingTree:
        """Versions → snapshots → instances; ``status`` filters the snapshots."""
        params = drop_none({"include_instances": include_instances, "status": status})
        body = self._http.get(f"{_path(mapping_id)}/tree", params=params)
        return MappingTree.from_api_response(data_of(body))

    def diff_versions(self, mapping_id: int, from_version: int, to_version: int) -> MappingDiff:
        """What changed between two versions (nodes matched by label, edges by type)."""
        body = self._http.get(f"{_path(mapping_id)}/versions/{from_version}/diff/{to_version}")
        return MappingDiff.from_api_response(data_of(body))


def _path(mapping_id: int) -> str:
    return f"/api/mappings/{int(mapping_id)}"
