"""Small pieces shared by the services: pages, row dictionaries and lifecycle checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, asc, desc, func, or_

from graph_olap.durations import parse_duration
from graph_olap_platform.control_plane.errors import DomainError
from graph_olap_platform.control_plane.validation import Problems, check_duration
from graph_olap_platform.settings import LifecycleDefaults


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int


def filter_and_sort(
    statement: Select[Any],
    table: Any,
    *,
    search: str | None,
    created_after: datetime | None,
    created_before: datetime | None,
    sort_by: str,
    sort_order: str,
) -> Select[Any]:
    """The list filters every resource shares: search, creation window and ordering.

    ``search`` is a case-insensitive substring of name or description (``%`` and ``_`` match
    themselves); names sort case-insensitively, the same on SQLite and PostgreSQL; ties break by id.
    """
    if search:
        needle = search.lower()
        statement = statement.where(
            or_(
                func.lower(table.name).contains(needle, autoescape=True),
                func.lower(func.coalesce(table.description, "")).contains(needle, autoescape=True),
            )
        )
    if created_after:
        statement = statement.where(table.created_at >= created_after)
    if created_before:
        statement = statement.where(table.created_at <= created_before)
    order = asc if sort_order == "asc" else desc
    column = getattr(table, sort_by)
    key = func.lower(column) if sort_by == "name" else column
    return statement.order_by(order(key), order(table.id))


def columns(row: Any) -> dict[str, Any]:
    """A table row as a dict of its column values."""
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def check_lifecycle(
    ttl: Any,
    inactivity: Any,
    limits: LifecycleDefaults,
    problems: Problems,
    *,
    raise_limits: bool = False,
) -> None:
    """TTL within the maximum and inactivity within the TTL (or the maximum when no TTL).

    With ``raise_limits`` an exceeded limit raises at once with the seed's detail shape
    ``{requested, max_allowed}``; otherwise it is collected with the other problems.
    """
    valid = check_duration(ttl, "ttl", problems)
    valid = check_duration(inactivity, "inactivity_timeout", problems) and valid
    if not valid:
        return
    limit = limits.max_ttl
    if ttl is not None and parse_duration(ttl) > parse_duration(limit):
        _limit_error("ttl", "TTL exceeds maximum allowed", ttl, limit, problems, raise_limits)
    if ttl is not None and inactivity is not None:
        if parse_duration(inactivity) > parse_duration(ttl):
            _limit_error(
                "inactivity_timeout",
                "Inactivity timeout exceeds the TTL",
                inactivity,
                ttl,
                problems,
                raise_limits,
            )
    elif inactivity is not None and parse_duration(inactivity) > parse_duration(limit):
        _limit_error(
            "inactivity_timeout",
            "Inactivity timeout exceeds maximum allowed",
            inactivity,
            limit,
            problems,
            raise_limits,
        )


def expires_at(created_at: datetime, ttl: str | None) -> datetime | None:
    return created_at + parse_duration(ttl) if ttl else None


def inactive_since(last: datetime | None, inactivity: str | None, now: datetime) -> bool:
    """True when ``inactivity`` has passed since ``last`` (never for a missing value)."""
    if last is None or not inactivity:
        return False
    try:
        return now >= last + parse_duration(inactivity)
    except ValueError:
        return False


def past(created_at: datetime, ttl: str | None, now: datetime) -> bool:
    try:
        when = expires_at(created_at, ttl)
    except ValueError:  # unparseable TTLs never expire (spec §5)
        return False
    return when is not None and now >= when


def seconds(delta: timedelta) -> float:
    return round(delta.total_seconds(), 3)


def _limit_error(
    field: str, message: str, requested: str, allowed: str, problems: Problems, raise_now: bool
) -> None:
    if raise_now:
        raise DomainError(
            "VALIDATION_FAILED",
            message,
            {
                "field": field,
                "requested": requested,
                "max_allowed": allowed,
                "errors": [*problems.errors, {"field": field, "message": message}],
            },
        )
    problems.add(field, f"{message}: requested {requested}, max allowed {allowed}")
