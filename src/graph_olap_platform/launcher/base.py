"""The launcher interface the control plane drives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class LaunchSpec:
    instance_id: int
    url_slug: str
    wrapper_type: str
    threads: int
    control_plane_url: str
    internal_api_key: str
    max_rows: int


@dataclass(frozen=True)
class Launched:
    pod_name: str
    instance_url: str


class Launcher(Protocol):
    def start(self, spec: LaunchSpec) -> Launched:
        """Start the wrapper of one instance; it reports its own progress and readiness."""

    def stop(self, instance_id: int) -> None:
        """Stop it (graceful, then forced) and remove its working files; idempotent."""

    def is_alive(self, instance_id: int) -> bool: ...

    def running(self) -> list[int]:
        """Ids of instances whose wrapper is alive, including ones this process did not start."""

    def log_tail(self, instance_id: int, lines: int = 20) -> str: ...
