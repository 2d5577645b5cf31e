"""``/health`` (liveness) and ``/ready`` (the store answers); both unauthenticated."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from graph_olap_platform import __version__
from graph_olap_platform.control_plane.deps import State
from graph_olap_platform.control_plane.envelope import error, ok
from graph_olap_platform.control_plane.store.tables import utcnow

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness: the process answers")
def health(request: Request) -> JSONResponse:
    return ok(request, {"status": "ok", "version": __version__, "checked_at": utcnow()})


@router.get("/ready", summary="Readiness: the store answers")
def ready(request: Request, state: State) -> JSONResponse:
    try:
        state.store.ping()
    except Exception as exc:  # any driver error means "not ready"; the reason is reported
        return error(
            request,
            503,
            "SERVICE_UNAVAILABLE",
            "The control-plane store is unreachable",
            {"status": "unavailable", "database": f"error: {type(exc).__name__}"},
        )
    return ok(
        request,
        {
            "status": "ready",
            "version": __version__,
            "database": state.store.dialect,
            "checked_at": utcnow(),
        },
    )
