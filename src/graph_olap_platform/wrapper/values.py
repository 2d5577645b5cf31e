"""Engine-neutral JSON encodings of query values (docs/instances.md, "Values in JSON rows").

Every engine turns its own values into these forms, so the SDK sees one encoding: dates and
timestamps as ISO 8601 strings (UTC with ``Z``), intervals as ISO 8601 durations, blobs as base64.
"""

from __future__ import annotations

import base64
import math
import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

_US_PER_SECOND = 1_000_000


def iso_date(value: date) -> str:
    return value.isoformat()


def iso_datetime(value: datetime) -> str:
    """``2025-01-15T10:30:00Z``; naive values are taken as UTC (the engines store UTC)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat() + "Z"


def iso_duration(value: timedelta) -> str:
    """``P1DT2H``, ``PT0.5S``, ``-P3D``: days, hours, minutes and (fractional) seconds."""
    total_us = (value.days * 86_400 + value.seconds) * _US_PER_SECOND + value.microseconds
    if total_us == 0:
        return "PT0S"
    sign = "-" if total_us < 0 else ""
    total_us = abs(total_us)
    days, rest = divmod(total_us, 86_400 * _US_PER_SECOND)
    hours, rest = divmod(rest, 3_600 * _US_PER_SECOND)
    minutes, rest = divmod(rest, 60 * _US_PER_SECOND)
    seconds, micros = divmod(rest, _US_PER_SECOND)
    text = f"{sign}P"
    if days:
        text += f"{days}D"
    if hours or minutes or seconds or micros:
        text += "T"
        if hours:
            text += f"{hours}H"
        if minutes:
            text += f"{minutes}M"
        if seconds or micros:
            text += f"{seconds}.{micros:06d}".rstrip("0").rstrip(".") + "S"
    return text


def b64(value: bytes | bytearray | memoryview) -> str:
    return base64.b64encode(bytes(value)).decode("ascii")


def plain(value: Any) -> Any:
    """Convert one scalar or container of Python values to its JSON form (no graph values)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        return iso_datetime(value)
    if isinstance(value, date):
        return iso_date(value)
    if isinstance(value, timedelta):
        return iso_duration(value)
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return b64(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            number = int(value)
            # JSON encoders stop at 64 bits (INT128, HUGEINT): larger integers travel as text.
            return number if -(2**63) <= number < 2**64 else str(number)
        return float(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return str(value)


_TYPE_PARAMS = re.compile(r"\(.*\)$", re.DOTALL)


def normalise_type_name(engine_type: str) -> str:
    """``INT64[]`` → ``LIST``, ``STRUCT(a INT64)`` → ``STRUCT``, ``DECIMAL(5, 2)`` → ``DECIMAL``."""
    name = engine_type.strip()
    if not name:
        return "ANY"
    if name.endswith("]"):
        return "LIST"
    name = _TYPE_PARAMS.sub("", name).strip().upper()
    return name or "ANY"
