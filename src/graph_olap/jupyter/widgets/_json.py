"""Python values of a query result → JSON the browser can read without loss or surprise."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from graph_olap.instance.values import encode_value

__all__ = ["MAX_SAFE_INTEGER", "jsonable"]

# JavaScript numbers are doubles: larger integers would silently change in the browser.
MAX_SAFE_INTEGER = 2**53 - 1


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types, recursively.

    Dates, timestamps and intervals become their ISO text and bytes base64 (the wire form,
    :func:`graph_olap.instance.values.encode_value`); NaN and infinities, which JSON cannot
    carry, become the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``; integers outside
    JavaScript's safe range become strings so that no digit changes; anything else unknown
    becomes its ``str``.
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER else str(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    if isinstance(value, datetime | date | timedelta | bytes | bytearray | memoryview):
        return encode_value(value)
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return jsonable(float(value)) if value.is_finite() else str(value)
    if isinstance(value, UUID):
        return str(value)
    return str(value)
