"""Response envelopes: ``{"data", "meta"}`` for success, ``{"error", "meta"}`` for failure."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

REQUEST_ID_HEADER = "X-Request-ID"


def request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", ""))


def iso_utc(value: datetime) -> str:
    """``2025-01-15T10:30:00Z``: UTC with a ``Z``, as pydantic renders model timestamps."""
    text = value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    return text.replace("+00:00", "Z")


def _plain(data: Any) -> Any:
    if isinstance(data, BaseModel):
        return data.model_dump(mode="json", by_alias=True)
    if isinstance(data, list):
        return [_plain(item) for item in data]
    return jsonable_encoder(data, custom_encoder={datetime: iso_utc})


def ok(request: Request, data: Any, *, status_code: int = 200, **meta: Any) -> JSONResponse:
    body = {"data": _plain(data), "meta": {"request_id": request_id(request), **meta}}
    return JSONResponse(body, status_code=status_code)


def page(
    request: Request, items: list[Any], *, total: int, offset: int, limit: int
) -> JSONResponse:
    return ok(request, items, total=total, offset=offset, limit=limit)


def error(
    request: Request,
    status_code: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    rid = request_id(request)
    body = {
        "error": {"code": code, "message": message, "details": _plain(details or {})},
        "meta": {"request_id": rid},
    }
    return JSONResponse(
        body, status_code=status_code, headers={**(headers or {}), REQUEST_ID_HEADER: rid}
    )
