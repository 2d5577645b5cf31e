"""Wire values of a query answer ⇄ Python values (spec §1.4, docs/instances.md "Values").

Decoding is driven by the column type the wrapper reports:

==========================  ==============================  =====================
column type                 wire value                      Python value
==========================  ==============================  =====================
DATE                        ``"2025-01-15"``                ``date``
TIMESTAMP (and _TZ, _MS..)  ``"2025-01-15T10:30:00Z"``      ``datetime`` (Z = UTC)
INTERVAL                    ``"P1DT2H"``                    ``timedelta``
BLOB                        base64 text                     ``bytes``
``T[]``, ``LIST<T>``        array                           list, items decoded as T
NODE / REL                  tagged object                   dict (see below)
RECURSIVE_REL / PATH        array of tagged objects         list of dicts
anything else               as sent                         as sent (tagged objects decoded)
==========================  ==============================  =====================

Inside a node or relationship the property types are not reported, so a property is parsed only
when its whole text is an ISO date (``2025-01-15``) or an ISO timestamp with seconds
(``2025-01-15T10:30:00``, optional fraction and ``Z``/offset) that is also a valid calendar
value. Keys starting with ``_`` (``_id``, ``_label``, ``_type``, ``_start``, ``_end``) are never
touched. A value that does not parse is kept as sent: decoding never fails a query.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from graph_olap.durations import parse_duration

__all__ = [
    "decode_value",
    "encode_value",
    "format_interval",
    "is_node",
    "is_relationship",
    "parse_interval",
]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})?"
)
_LIST_FORMS = (("LIST<", ">"), ("LIST(", ")"), ("ARRAY<", ">"), ("ARRAY(", ")"))


# -- decoding ---------------------------------------------------------------------------------


def decode_value(value: Any, column_type: str | None) -> Any:
    """The Python value of one wire value of a column of ``column_type``."""
    if value is None:
        return None
    type_name = (column_type or "ANY").strip()
    element = _element_type(type_name)
    if element is not None:
        if isinstance(value, list):
            return [decode_value(item, element) for item in value]
        return value
    decoder = _DECODERS.get(_base_type(type_name))
    if decoder is None:
        return _decode_tagged(value)
    return decoder(value)


def is_node(value: Any) -> bool:
    """Whether ``value`` is a node as the wrapper sends it: ``{_id, _label, ...}``."""
    return isinstance(value, dict) and "_id" in value and "_label" in value


def is_relationship(value: Any) -> bool:
    """Whether ``value`` is a relationship: ``{_id, _type, _start, _end, ...}``."""
    return (
        isinstance(value, dict)
        and "_type" in value
        and "_start" in value
        and "_end" in value
        and "_label" not in value
    )


def parse_interval(text: str) -> timedelta:
    """An ISO 8601 duration, optionally negative (``-PT5M``), as a ``timedelta``."""
    text = text.strip()
    if text.startswith("-"):
        return -parse_duration(text[1:])
    return parse_duration(text.removeprefix("+"))


def _element_type(type_name: str) -> str | None:
    upper = type_name.upper()
    if upper.endswith("]") and "[" in upper:  # Kuzu: INT64[] (list) or INT64[3] (array)
        return type_name[: type_name.rindex("[")]
    for start, end in _LIST_FORMS:
        if upper.startswith(start) and upper.endswith(end):
            return type_name[len(start) : -len(end)]
    return None


def _base_type(type_name: str) -> str:
    base = type_name.upper().split("(", 1)[0].strip()
    if base.startswith("TIMESTAMP"):  # TIMESTAMP_TZ, TIMESTAMP_MS, TIMESTAMP_NS, ...
        return "TIMESTAMP"
    return base


def _decode_date(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        parsed = _decode_timestamp(value)
        return parsed.date() if isinstance(parsed, datetime) else value


def _decode_timestamp(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    return parsed


def _decode_interval(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return parse_interval(value)
        except ValueError:
            return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    return value


def _decode_blob(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value


def _decode_entity(value: Any) -> Any:
    if not isinstance(value, dict):
        return _decode_tagged(value)
    return {
        key: _decode_property(item) if not key.startswith("_") else item
        for key, item in value.items()
    }


def _decode_path(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode_entity(item) if isinstance(item, dict) else item for item in value]
    if isinstance(value, dict):
        # Kuzu's own RECURSIVE_REL shape, should a wrapper pass it through.
        return {
            key: _decode_path(item) if key in ("_nodes", "_rels") else item
            for key, item in value.items()
        }
    return value


def _decode_tagged(value: Any) -> Any:
    """Untyped values: only tagged nodes and relationships (and containers of them) change."""
    if isinstance(value, dict):
        if is_node(value) or is_relationship(value):
            return _decode_entity(value)
        return {key: _decode_tagged(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode_tagged(item) for item in value]
    return value


def _decode_property(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if _ISO_DATE.fullmatch(value):
        return _decode_date(value)
    if _ISO_TIMESTAMP.fullmatch(value):
        return _decode_timestamp(value)
    return value


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "DATE": _decode_date,
    "TIMESTAMP": _decode_timestamp,
    "INTERVAL": _decode_interval,
    "BLOB": _decode_blob,
    "NODE": _decode_entity,
    "REL": _decode_entity,
    "RELATIONSHIP": _decode_entity,
    "RECURSIVE_REL": _decode_path,
    "PATH": _decode_path,
}


# -- encoding (to_json, CSV cells) --------------------------------------------------------------


def encode_value(value: Any) -> Any:
    """A decoded value back in its wire form: JSON-ready, recursively."""
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() == timedelta(0):
            return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return format_interval(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(key): encode_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [encode_value(item) for item in value]
    return value


def format_interval(value: timedelta) -> str:
    """An ISO 8601 duration with days and (fractional) seconds; negative ones start with ``-``."""
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    days, seconds, micros = value.days, value.seconds, value.microseconds
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{sign}P" + (f"{days}D" if days else "")
    clock = ""
    if hours:
        clock += f"{hours}H"
    if minutes:
        clock += f"{minutes}M"
    if micros:
        clock += f"{secs}.{micros:06d}".rstrip("0") + "S"
    elif secs:
        clock += f"{secs}S"
    if clock:
        text += "T" + clock
    return text if text not in ("P", "-P") else "PT0S"
