"""``QueryPlan``: an engine's plan for a query (``conn.explain`` / ``conn.profile``)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["QueryPlan"]

PlanMode = Literal["explain", "profile"]


@dataclass(frozen=True)
class QueryPlan:
    """The engine's own text for a query plan.

    ``mode`` is ``explain`` (planned, not run) or ``profile`` (run; per-operator rows and
    times). ``text`` is the engine's rendering: a box drawing on LadybugDB and Ryugraph, an
    indented operator tree on FalkorDB.
    """

    mode: PlanMode
    text: str
    engine: str | None = None
    execution_time_ms: float = 0.0

    @classmethod
    def from_response(cls, body: Mapping[str, Any], *, mode: PlanMode) -> QueryPlan:
        data = body.get("data", body)
        data = data if isinstance(data, Mapping) else body
        engine = data.get("engine")
        return cls(
            mode=mode,
            text=str(data.get("plan") or ""),
            engine=str(engine) if engine is not None else None,
            execution_time_ms=float(data.get("execution_time_ms") or 0.0),
        )

    def __str__(self) -> str:
        return self.text

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self._heading() + "\n" + self.text)

    def _repr_html_(self) -> str:
        return (
            f'<div class="golap-plan"><div class="golap-plan-title">{html.escape(self._heading())}'
            f'</div><pre class="golap-plan-text">{html.escape(self.text)}</pre></div>'
        )

    def _heading(self) -> str:
        what = "Query profile" if self.mode == "profile" else "Query plan"
        engine = f" ({self.engine})" if self.engine else ""
        took = f", {self.execution_time_ms:.1f} ms" if self.mode == "profile" else ""
        return f"{what}{engine}{took}"
