"""SQL text helpers shared by the warehouse implementations (identifiers, wrapping user SQL)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from graph_olap_platform.warehouse.base import WarehouseError


def quote_identifier(name: str) -> str:
    """A double-quoted SQL identifier (the same rule in DuckDB, PostgreSQL and Trino)."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """A single-quoted SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


# A final semicolon, possibly followed by line comments (without quotes, so that the end of a
# string literal such as ';--' is never taken for one).
_TRAILING_SEMICOLON = re.compile(r";(?:\s*--[^\n'\"]*)*\s*$")


def clean_query(sql: str) -> str:
    """User SQL without surrounding blanks and trailing semicolons; WarehouseError if empty."""
    text = sql.strip()
    while (match := _TRAILING_SEMICOLON.search(text)) is not None:
        text = text[: match.start()].rstrip()
    if not text:
        raise WarehouseError("SQL is empty")
    return text


def subquery(sql: str, aliases: Sequence[str] | None = None) -> str:
    """``(<sql>) AS _q[(aliases)]`` for use after FROM.

    The user's SQL starts right after the parenthesis, so the warehouse's line numbers in error
    messages are the user's own, and it ends on a line of its own, so a trailing ``-- comment``
    cannot swallow the closing parenthesis. ``aliases`` renames the output columns by position
    (a derived column list, standard SQL understood by all three warehouses).
    """
    alias = "_q"
    if aliases is not None:
        alias += "(" + ", ".join(quote_identifier(name) for name in aliases) + ")"
    return f"({clean_query(sql)}\n) AS {alias}"


def check_column_count(expected: Sequence[str], actual: int) -> None:
    if actual != len(expected):
        raise WarehouseError(
            f"The query returns {actual} column{'s' if actual != 1 else ''} but "
            f"{len(expected)} {'were' if len(expected) != 1 else 'was'} expected "
            f"({', '.join(expected)})"
        )
