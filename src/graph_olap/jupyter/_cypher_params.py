"""``$name`` parameters of a ``%%cypher`` query, bound from the notebook as values.

A query's text is never edited: the names it uses are found by a lexer that skips string
literals, comments and backtick identifiers (so ``'$5 off'`` or ``// $x`` bind nothing), and
their values travel in the request's ``parameters`` for the engine to bind.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from IPython.core.error import UsageError

from graph_olap.instance.values import encode_value

__all__ = ["bind_parameters", "parameter_names"]

# One alternative per token kind; only the last two (a parameter) capture a name.
_TOKENS = re.compile(
    r"""'(?:[^'\\]|\\.)*'"""  # 'string' (backslash escapes)
    r'''|"(?:[^"\\]|\\.)*"'''  # "string"
    r"|`(?:[^`]|``)*`"  # `identifier` (`` escapes a backtick)
    r"|//[^\n]*"  # line comment
    r"|/\*.*?(?:\*/|\Z)"  # block comment (an unclosed one runs to the end)
    r"|\$([^\W\d]\w*)"  # $name
    r"|\$`((?:[^`]|``)*)`",  # $`quoted name`
    re.DOTALL,
)


def parameter_names(query: str) -> list[str]:
    """The ``$parameters`` ``query`` uses, in order of first use, each once."""
    if "$" not in query:
        return []
    names: dict[str, None] = {}
    for match in _TOKENS.finditer(query):
        name = match.group(1) or (match.group(2) or "").replace("``", "`")
        if name:
            names.setdefault(name, None)
    return list(names)


def bind_parameters(
    query: str,
    namespace: Mapping[str, Any],
    explicit: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Values for the parameters of ``query``: every entry of ``explicit`` (``-P VAR``), then
    each other name the query uses from ``namespace``.

    ``UsageError`` for a name found in neither, and for a value that cannot travel as JSON
    (naming the parameter and its type).
    """
    bound: dict[str, Any] = {}
    if explicit:
        for key, value in explicit.items():
            if not isinstance(key, str):
                raise UsageError(
                    f"-P/--params keys are parameter names (str); got {type(key).__name__} {key!r}"
                )
            bound[key] = _wire_value(key, value)
    missing = []
    for name in parameter_names(query):
        if name in bound:
            continue
        if name not in namespace:
            missing.append(name)
            continue
        bound[name] = _wire_value(name, namespace[name])
    if missing:
        listed = ", ".join(f"${name}" for name in missing)
        first = missing[0]
        raise UsageError(
            f"The query uses {listed}, not defined in the notebook: define it "
            f"({first} = ...) or pass a dict with -P/--params VAR"
        )
    return bound


def _wire_value(name: str, value: Any) -> Any:
    """``value`` as it will be sent (dates as ISO text, numpy values as Python ones)."""
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        value = value.tolist()  # numpy scalars and arrays: their Python equivalent
    encoded = encode_value(value)
    try:
        json.dumps(encoded, allow_nan=True)
    except (TypeError, ValueError) as exc:
        kind = type(value)
        qualified = kind.__qualname__
        if kind.__module__ != "builtins":
            qualified = f"{kind.__module__}.{qualified}"
        raise UsageError(
            f"Parameter ${name} is a {qualified}, which cannot be sent as a query parameter "
            f"({exc}). Use str, int, float, bool, None, date/datetime, or lists and dicts of "
            "them."
        ) from None
    return encoded
