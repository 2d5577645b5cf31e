"""Differences between two versions of a mapping's definitions."""

from __future__ import annotations

from typing import Any

NODE_FIELDS = ("sql", "primary_key", "properties")
EDGE_FIELDS = ("from_node", "to_node", "sql", "from_key", "to_key", "properties")


def diff_definitions(
    old_nodes: list[dict[str, Any]],
    new_nodes: list[dict[str, Any]],
    old_edges: list[dict[str, Any]],
    new_edges: list[dict[str, Any]],
) -> dict[str, Any]:
    """Summary and per-entry changes; nodes match by label, edges by type.

    A modified entry lists ``fields_changed`` and carries only those fields on each side; an
    added or removed entry carries the whole definition on one side and ``null`` on the other.
    """
    nodes = _diff_entries(old_nodes, new_nodes, "label", NODE_FIELDS)
    edges = _diff_entries(old_edges, new_edges, "type", EDGE_FIELDS)
    summary = {
        f"{kind}_{change}": sum(1 for entry in entries if entry["change_type"] == change)
        for kind, entries in (("nodes", nodes), ("edges", edges))
        for change in ("added", "removed", "modified")
    }
    return {"summary": summary, "changes": {"nodes": nodes, "edges": edges}}


def _diff_entries(
    old: list[dict[str, Any]], new: list[dict[str, Any]], key: str, fields: tuple[str, ...]
) -> list[dict[str, Any]]:
    before = {entry[key]: entry for entry in old}
    after = {entry[key]: entry for entry in new}
    changes: list[dict[str, Any]] = []
    for name in [*before, *(name for name in after if name not in before)]:
        if name not in after:
            changes.append({key: name, "change_type": "removed", "from": before[name], "to": None})
        elif name not in before:
            changes.append({key: name, "change_type": "added", "from": None, "to": after[name]})
        else:
            changed = [f for f in fields if before[name].get(f) != after[name].get(f)]
            if changed:
                changes.append(
                    {
                        key: name,
                        "change_type": "modified",
                        "fields_changed": changed,
                        "from": {f: before[name].get(f) for f in changed},
                        "to": {f: after[name].get(f) for f in changed},
                    }
                )
    return changes
