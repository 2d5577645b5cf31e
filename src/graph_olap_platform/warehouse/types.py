"""Warehouse column types → graph (Ryu) types, and which declared types a column can fill.

One parser reads the type names of all three warehouses, since they share a shape:

- DuckDB:     ``VARCHAR``, ``DECIMAL(10,2)``, ``INTEGER[]``, ``STRUCT(a INTEGER, b VARCHAR)``,
              ``MAP(VARCHAR, INTEGER)``, ``TIMESTAMP WITH TIME ZONE``
- PostgreSQL: ``character varying(20)``, ``numeric(10,2)``, ``integer[]``, ``bytea``,
              ``timestamp(3) without time zone`` (as ``format_type`` prints them)
- Trino:      ``varchar(20)``, ``decimal(10,2)``, ``array(integer)``, ``map(varchar, bigint)``,
              ``row(a integer, b varchar)``, ``timestamp(3) with time zone``

Names never collide between them in a way that matters (``FLOAT`` is 4-byte in DuckDB and is
never printed by PostgreSQL or Trino). Types without a graph equivalent (``TIME``, ``INTERVAL``,
``INET``, PostgreSQL enums and composites, ...) map to ``None``; exports write those as strings.

Compatibility (:func:`compatible`) answers "may a column of this type be loaded into a property
declared as that type?" — the rule is *no silent loss*:

- equal types are compatible;
- integers widen (``INT8 → INT16 → INT32 → INT64``): an ``INTEGER`` column fills an ``INT64``
  property, a ``BIGINT`` column does not fill an ``INT32`` one;
- integers fill ``DOUBLE`` (``INT8``/``INT16`` also fill ``FLOAT``; wider ones would lose digits);
- ``FLOAT`` fills ``DOUBLE``, not the other way round;
- ``DATE`` fills ``TIMESTAMP`` (midnight), not the other way round;
- every scalar (numbers, ``BOOL``, ``DATE``, ``TIMESTAMP``, ``UUID``) fills ``STRING``: its text
  form is well defined; ``BLOB`` and nested values (``LIST``, ``MAP``, ``STRUCT``) do not;
- ``LIST``, ``MAP`` and ``STRUCT`` need the same kind (element types are not compared);
- a column with no graph type fills nothing: cast it in the SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from graph_olap.models.mapping import RyuType

__all__ = ["SqlType", "compatible", "parse_type", "ryu_type"]


@dataclass(frozen=True)
class SqlType:
    """A parsed type name: the base ``name`` (lower case, parameters removed) and its parts."""

    name: str
    text: str
    element: SqlType | None = None  # arrays
    key: SqlType | None = None  # maps
    value: SqlType | None = None  # maps
    fields: tuple[tuple[str, SqlType], ...] = ()  # structs / rows

    @property
    def is_array(self) -> bool:
        return self.name == "array"


_SCALARS: dict[str, RyuType] = {}


def _names(ryu: RyuType, *names: str) -> None:
    for name in names:
        _SCALARS[name] = ryu


_names(
    RyuType.STRING,
    "varchar",
    "text",
    "char",
    "character",
    "character varying",
    "bpchar",
    '"char"',
    "string",
    "name",
    "citext",
    "enum",
    "json",
    "jsonb",
)
# 128-bit and unsigned 64-bit integers are read as INT64: exports cast them to BIGINT, so a value
# outside the INT64 range fails the export instead of being silently rounded to a double.
_names(RyuType.INT64, "bigint", "int8", "long", "int64", "hugeint", "uhugeint", "ubigint")
_names(RyuType.INT64, "uinteger", "uint32")
_names(RyuType.INT32, "integer", "int", "int4", "int32", "signed", "usmallint", "uint16")
_names(RyuType.INT16, "smallint", "int2", "int16", "short", "utinyint", "uint8")
_names(RyuType.INT8, "tinyint", "int1")
_names(RyuType.DOUBLE, "double", "double precision", "float8", "decimal", "numeric")
_names(RyuType.FLOAT, "real", "float4", "float")
_names(RyuType.BOOL, "boolean", "bool", "logical")
_names(RyuType.DATE, "date")
_names(
    RyuType.TIMESTAMP,
    "timestamp",
    "datetime",
    "timestamptz",
    "timestamp with time zone",
    "timestamp without time zone",
    "timestamp_s",
    "timestamp_ms",
    "timestamp_us",
    "timestamp_ns",
)
_names(RyuType.UUID, "uuid")
_names(RyuType.BLOB, "blob", "bytea", "varbinary", "binary", "bytes", "binary varying")

_SPACES = re.compile(r"\s+")


def parse_type(text: str) -> SqlType:
    """Parse a warehouse type name; ``ValueError`` if its brackets do not balance."""
    source = text.strip()
    if not source:
        raise ValueError("empty type name")
    if source.endswith("]"):
        # DuckDB INTEGER[] / INTEGER[3], PostgreSQL integer[] / integer[][]
        start = _matching_open(source, len(source) - 1, "[", "]")
        return SqlType("array", source, element=parse_type(source[:start]))
    paren = _first_top_level(source, "(")
    if paren < 0:
        _check_balanced(source)
        return SqlType(_normal(source), source)
    close = _matching_close(source, paren)
    base = _normal(source[:paren])
    suffix = _normal(source[close + 1 :])
    args = _split_args(source[paren + 1 : close])
    if base == "array" and len(args) == 1:
        return SqlType("array", source, element=parse_type(args[0]))
    if base == "map" and len(args) == 2:
        return SqlType("map", source, key=parse_type(args[0]), value=parse_type(args[1]))
    if base in ("struct", "row"):
        return SqlType("struct", source, fields=tuple(_field(arg) for arg in args))
    name = f"{base} {suffix}" if suffix else base  # timestamp(3) with time zone
    return SqlType(name, source)


def ryu_type(data_type: str | SqlType) -> RyuType | None:
    """The graph type a warehouse column type maps to, ``None`` when there is none."""
    try:
        parsed = parse_type(data_type) if isinstance(data_type, str) else data_type
    except ValueError:
        return None
    if parsed.name == "array":
        return RyuType.LIST
    if parsed.name == "map":
        return RyuType.MAP
    if parsed.name == "struct":
        return RyuType.STRUCT
    return _SCALARS.get(parsed.name)


_INTEGERS = (RyuType.INT8, RyuType.INT16, RyuType.INT32, RyuType.INT64)
# Types whose values have one obvious text form, so they may load into a STRING property.
_SCALAR_TYPES = frozenset(RyuType) - {RyuType.BLOB, RyuType.LIST, RyuType.MAP, RyuType.STRUCT}


def compatible(declared: str, actual: str | None) -> bool:
    """Whether a column of graph type ``actual`` loads into a property declared ``declared``.

    Both are RyuType names (case-insensitive); ``actual`` is ``None`` for a warehouse type
    without a graph equivalent. See the module docstring for the rules.
    """
    if actual is None:
        return False
    want = _as_ryu(declared)
    have = _as_ryu(actual)
    if want is None or have is None:
        return False
    if want == have:
        return True
    if want in _INTEGERS and have in _INTEGERS:
        return _INTEGERS.index(have) <= _INTEGERS.index(want)
    if want == RyuType.DOUBLE:
        return have in _INTEGERS or have == RyuType.FLOAT
    if want == RyuType.FLOAT:
        return have in (RyuType.INT8, RyuType.INT16)
    if want == RyuType.TIMESTAMP:
        return have == RyuType.DATE
    if want == RyuType.STRING:
        return have in _SCALAR_TYPES
    return False


def _as_ryu(name: str) -> RyuType | None:
    try:
        return RyuType(name.upper())
    except ValueError:
        return None


def _normal(name: str) -> str:
    return _SPACES.sub(" ", name.strip().lower())


def _field(arg: str) -> tuple[str, SqlType]:
    """``name TYPE`` or ``"quoted name" TYPE`` inside STRUCT(...) / row(...)."""
    arg = arg.strip()
    if arg.startswith('"'):
        end = 1
        while True:
            end = arg.index('"', end)
            if arg[end + 1 : end + 2] == '"':  # an escaped quote
                end += 2
                continue
            break
        name, rest = arg[1:end].replace('""', '"'), arg[end + 1 :]
    else:
        name, _, rest = arg.partition(" ")
    if not rest.strip():
        # Trino allows anonymous row fields: row(integer, varchar)
        return "", parse_type(name)
    return name, parse_type(rest)


def _scan(text: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """Characters of ``text`` outside quoted names and string literals, with their index."""
    quote = ""
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        else:
            yield index, char


def _split_args(inner: str) -> list[str]:
    args: list[str] = []
    depth = 0
    begin = 0
    for index, char in _scan(inner):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            args.append(inner[begin:index].strip())
            begin = index + 1
    if inner[begin:].strip():
        args.append(inner[begin:].strip())
    return args


def _first_top_level(text: str, wanted: str) -> int:
    return next((index for index, char in _scan(text) if char == wanted), -1)


def _matching_close(text: str, start: int) -> int:
    depth = 0
    for index, char in _scan(text, start):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError(f"unbalanced parentheses in type {text!r}")


def _matching_open(text: str, end: int, opening: str, closing: str) -> int:
    depth = 0
    for index in range(end, -1, -1):
        if text[index] == closing:
            depth += 1
        elif text[index] == opening:
            depth -= 1
            if depth == 0:
                return index
    raise ValueError(f"unbalanced brackets in type {text!r}")


def _check_balanced(text: str) -> None:
    if any(char in "()[]" for _, char in _scan(text)):
        raise ValueError(f"unbalanced brackets in type {text!r}")
