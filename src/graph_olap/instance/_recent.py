"""The instances this Python session used last, so ``%cypher`` can default to "the last one".

``InstanceConnection`` records itself when it is created for a known instance id, and
``InstanceResource.wait_until_running`` records an instance once it is running. Connections are
held weakly: a connection the notebook dropped is not kept alive by this record.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graph_olap.instance.connection import InstanceConnection

__all__ = ["RecentInstance", "last_instance", "remember_connection", "remember_instance"]


@dataclass(frozen=True)
class RecentInstance:
    instance_id: int
    name: str | None
    connection: weakref.ref[InstanceConnection] | None


_lock = threading.Lock()
_last: RecentInstance | None = None


def remember_instance(instance_id: int, name: str | None = None) -> None:
    """Record ``instance_id`` as the session's latest instance (no connection yet)."""
    global _last
    with _lock:
        keep = _last if _last is not None and _last.instance_id == instance_id else None
        _last = RecentInstance(
            instance_id, name or (keep.name if keep else None), keep.connection if keep else None
        )


def remember_connection(connection: InstanceConnection) -> None:
    """Record a connection (and its instance) as the session's latest."""
    global _last
    if connection.instance_id is None:
        return
    with _lock:
        _last = RecentInstance(connection.instance_id, connection.name, weakref.ref(connection))


def last_instance() -> RecentInstance | None:
    """The latest recorded instance, or None in a fresh session."""
    return _last


def forget() -> None:
    """Clear the record (tests, and ``%unload_ext graph_olap``)."""
    global _last
    with _lock:
        _last = None
