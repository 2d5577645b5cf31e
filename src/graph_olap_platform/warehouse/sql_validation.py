"""Static checks of user SQL: exactly one read-only query, and the columns it returns.

Mapping SQL runs against the warehouse with the platform's credentials, so anything but a single
``SELECT`` (or ``WITH … SELECT`` / set operation of selects) is refused before it gets there.
The server never rewrites user SQL; it only inspects it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

__all__ = ["SqlCheck", "check_select"]

# sqlglot logs a warning whenever it falls back to an opaque Command; the check reports it instead.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

_WRITES: tuple[type[exp.Expression], ...] = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.TruncateTable,
    exp.Copy,
    exp.Command,
    exp.Into,
    exp.Set,
    exp.Pragma,
    exp.Attach,
    exp.Detach,
    exp.Use,
    exp.Grant,
)


@dataclass
class SqlCheck:
    """Outcome of checking one query: its problems and, where explicit, its output columns."""

    problems: list[str] = field(default_factory=list)
    columns: list[str | None] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def check_select(sql: str, *, dialect: str | None = "duckdb") -> SqlCheck:
    """Check that ``sql`` is exactly one read-only query and name its output columns.

    ``columns`` is ``None`` when the projection is not explicit (``SELECT *``), since only the
    warehouse can tell what a star expands to.
    """
    result = SqlCheck()
    if not sql or not sql.strip():
        result.problems.append("SQL is empty")
        return result
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except (ParseError, TokenError) as error:
        result.problems.append(f"SQL could not be parsed: {_parse_message(error)}")
        return result
    if len(statements) != 1:
        result.problems.append(
            f"SQL must be a single query, found {len(statements)} statements"
            if statements
            else "SQL is empty"
        )
        return result
    (query,) = statements
    write = next((node for node in query.walk() if isinstance(node, _WRITES)), None)
    if write is not None:
        result.problems.append(f"SQL must be a read-only SELECT query, found {_describe(write)}")
        return result
    if not isinstance(query, exp.Query):
        result.problems.append("SQL must be a SELECT query (or WITH … SELECT); this is not one")
        return result
    select = _first_select(query)
    result.columns = _output_columns(select) if select is not None else None
    return result


def _first_select(query: exp.Expr) -> exp.Select | None:
    while isinstance(query, exp.SetOperation):
        query = query.this
    if isinstance(query, exp.Subquery):
        return _first_select(query.this)
    return query if isinstance(query, exp.Select) else None


def _output_columns(select: exp.Select) -> list[str | None] | None:
    """Names of the projected columns; ``None`` for an expression without an alias."""
    names: list[str | None] = []
    for projection in select.expressions:
        if isinstance(projection, exp.Star) or (
            isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
        ):
            return None
        named = isinstance(projection, exp.Alias | exp.Column)
        names.append(projection.alias_or_name if named else None)
    return names


def _describe(node: exp.Expression) -> str:
    if isinstance(node, exp.Command):
        return f"a {str(node.this).upper()} command"
    name = type(node).__name__.upper()
    return {"INTO": "SELECT … INTO", "TRUNCATETABLE": "TRUNCATE"}.get(name, name) + " statement"


def _parse_message(error: ParseError | TokenError) -> str:
    if isinstance(error, ParseError) and error.errors:
        first = error.errors[0]
        where = f"line {first.get('line')}, column {first.get('col')}"
        return f"{first.get('description', 'syntax error')} ({where})"
    return str(error).splitlines()[0]
