"""Operational wire models: health and readiness."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from graph_olap.models.common import WireModel


class HealthStatus(WireModel):
    """Answer of ``/health`` (liveness) and ``/ready`` (readiness, with the store's state)."""

    status: str
    version: str | None = None
    database: str | None = None
    checked_at: datetime | None = None
    checks: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "healthy", "ready")
