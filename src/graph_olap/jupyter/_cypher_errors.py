"""Short ``%%cypher`` error messages: the engine's complaint, where it points, and a caret.

Engines word syntax errors differently (positions are already parsed by the wrapper into
``QueryError.position``); this keeps the useful sentence and drops the engine's own context
lines, which repeat the query with a caret in a different style per engine.
"""

from __future__ import annotations

import re

from graph_olap.exceptions import QueryError

__all__ = ["caret_excerpt", "engine_sentence", "query_error_message"]

# LadybugDB/Ryugraph: "Parser exception: Invalid input <...>: expected rule X (line: 1, offset: 10)"
_KUZU_POSITION = re.compile(r"\s*\(line: \d+, offset: \d+\)\s*$")
_KUZU_MARKER = re.compile(r"\s*\(line: \d+, offset: \d+\)")
_KUZU_INPUT = re.compile(r"Invalid input <(.*)>: expected", re.DOTALL)
# FalkorDB: "errMsg: Invalid input 'R': expected RETURN line: 1, column: 14, offset: 13 errCtx: ..."
_FALKOR_MESSAGE = re.compile(r"errMsg:\s*(.*?)(?:\s+line: \d+, column: \d+.*)?$", re.DOTALL)


def engine_sentence(error: QueryError) -> str:
    """The engine's own explanation, one line, without its position and context text."""
    text = (error.engine_message or error.message or "").strip()
    marker = _KUZU_MARKER.search(text)
    if marker:
        # Kuzu quotes the input up to the error, newlines included: keep its last line.
        text = text[: marker.start()]
        quoted = _KUZU_INPUT.search(text)
        if quoted:
            tail = quoted.group(1).splitlines()[-1].strip() if quoted.group(1).strip() else ""
            text = text[: quoted.start(1)] + tail + text[quoted.end(1) :]
        text = " ".join(text.split())
    first = text.splitlines()[0] if text else error.code or "query error"
    if first.startswith("errMsg:") or " errCtx: " in first:
        match = _FALKOR_MESSAGE.match(first)
        if match:
            first = match.group(1)
    first = _KUZU_POSITION.sub("", first)
    return first.strip()


def caret_excerpt(query: str, line: int, column: int | None) -> str:
    """The query line ``line`` (from 1) with a caret under ``column`` (from 1), indented.

    Tabs before the column are kept in the caret line, so the caret lines up in any tab width.
    A multi-line query gets line numbers.
    """
    lines = query.splitlines() or [""]
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1]
    gutter = f"{line} | " if len(lines) > 1 else ""
    out = f"    {gutter}{text}"
    if column is not None and column >= 1:
        prefix = "".join("\t" if ch == "\t" else " " for ch in text[: column - 1])
        prefix += " " * max(0, column - 1 - len(text))  # a position just past the end
        out += "\n    " + " " * len(gutter) + prefix + "^"
    return out


def query_error_message(error: QueryError, query: str) -> str:
    """``Cypher syntax error at line 1, column 11 (ladybug): <sentence>`` + the caret excerpt."""
    kind = "Cypher syntax error" if error.code == "QUERY_SYNTAX_ERROR" else "Query error"
    engine = f" ({error.engine})" if error.engine else ""
    position = error.position or {}
    line, column = position.get("line"), position.get("column")
    where = ""
    if line is not None:
        where = f" at line {line}" + (f", column {column}" if column is not None else "")
    message = f"{kind}{where}{engine}: {engine_sentence(error)}"
    if line is not None:
        excerpt = caret_excerpt(query, line, column)
        if excerpt:
            message += "\n" + excerpt
    return message
