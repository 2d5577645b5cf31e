"""What the loader and the HTTP app share: the engine, the mapping and the loading state."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from graph_olap_platform.wrapper.engines.base import Engine
from graph_olap_platform.wrapper.mapping import InstanceMapping


@dataclass
class WrapperState:
    engine: Engine
    engine_name: str
    instance_id: int | None = None
    owner_username: str | None = None
    status: str = "starting"  # starting -> loading -> running | failed; stopping on shutdown
    mapping: InstanceMapping | None = None
    node_counts: dict[str, int] = field(default_factory=dict)
    edge_counts: dict[str, int] = field(default_factory=dict)
    algorithm_properties: dict[str, dict[str, str]] = field(default_factory=dict)
    """Node properties written by algorithm runs: label -> {name: DOUBLE | INT64 | BOOL}.
    Replaced, never mutated in place, so readers need no lock."""
    error_code: str | None = None
    error_message: str | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started_monotonic: float = field(default_factory=time.monotonic)
    load_seconds: float | None = None
    ready_event: threading.Event = field(default_factory=threading.Event)
    stop_event: threading.Event = field(default_factory=threading.Event)

    @property
    def ready(self) -> bool:
        return self.ready_event.is_set()

    @property
    def uptime_seconds(self) -> float:
        return round(time.monotonic() - self.started_monotonic, 3)
