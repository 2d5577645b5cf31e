"""Helpers shared by the resource classes."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from graph_olap.durations import format_duration
from graph_olap.exceptions import ServerError
from graph_olap.http import HTTPClient

__all__ = [
    "UNSET",
    "Resource",
    "Unset",
    "data_of",
    "drop_none",
    "duration_param",
    "timestamp_param",
    "to_json",
    "to_json_list",
]


class Unset(enum.Enum):
    """Marks an argument that was not passed, so that an explicit ``None`` can mean "clear"."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


class Resource:
    """Base of the resource classes: they share the client's single HTTP layer."""

    def __init__(self, http: HTTPClient) -> None:
        self._http = http


def to_json(value: Any) -> Any:
    """A model (anything with ``to_dict()``) as its JSON dict; anything else unchanged.

    Dicts are sent as the user wrote them so the server validates them and reports every
    problem at once, instead of the SDK stopping at the first one.
    """
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else value


def to_json_list(values: Iterable[Any]) -> list[Any]:
    return [to_json(value) for value in values]


def drop_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def duration_param(value: str | timedelta | None) -> str | None:
    """ISO 8601 duration text from a string or a ``timedelta``."""
    return format_duration(value) if isinstance(value, timedelta) else value


def timestamp_param(value: str | datetime | None) -> str | None:
    """ISO 8601 text from a string or a datetime; a naive datetime is taken as UTC."""
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def data_of(body: dict[str, Any]) -> Any:
    """The ``data`` member of a success envelope."""
    if "data" not in body:
        raise ServerError(f"Expected a 'data' member in the response, got keys {sorted(body)}")
    return body["data"]
