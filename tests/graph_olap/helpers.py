"""Helpers for the SDK tests: response bodies and scripted MockTransport handlers."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import httpx

API_URL = "http://cp.test"

Handler = Callable[[httpx.Request], httpx.Response]


class MaxRandom(random.Random):
    """Deterministic 'jitter' that always picks the top of the range, to check the ceilings."""

    def uniform(self, a: float, b: float) -> float:
        return b


def envelope(data: Any, **meta: Any) -> dict[str, Any]:
    return {"data": data, "meta": {"request_id": "req-ok", **meta}}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "error": {"code": code, "message": message, "details": details or {}},
        "meta": {"request_id": "req-err"},
    }


def scripted(*steps: httpx.Response | Exception) -> Handler:
    """A handler that plays ``steps`` in order (raising exceptions), repeating the last one."""
    remaining = list(steps)

    def handler(request: httpx.Request) -> httpx.Response:
        step = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        if isinstance(step, Exception):
            raise step
        return step

    return handler
