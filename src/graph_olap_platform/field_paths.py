"""Field paths of request-validation errors, shared by the control plane and the wrapper."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def field_path(loc: Sequence[Any]) -> str:
    """Turn ``("query", "limit")`` into ``limit`` and ``("body", "a", 0)`` into ``a[0]``."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def field_errors(errors: Iterable[Any]) -> list[dict[str, str]]:
    """pydantic/FastAPI validation errors as ``[{field, message}]``."""
    return [
        {"field": field_path(item.get("loc", ())), "message": item.get("msg", "invalid")}
        for item in errors
    ]
