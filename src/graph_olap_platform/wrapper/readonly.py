"""Refuse Cypher that would change the graph or reach outside it.

An instance is a read-only picture of a snapshot: writes would make it disagree with the
warehouse, and ``LOAD FROM`` / ``COPY`` / ``INSTALL`` would read files or fetch code on the
server. Algorithms write their results through their own path, never through ``/query``.
"""

from __future__ import annotations

import re

__all__ = ["write_clause"]

_LITERALS = re.compile(
    r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`[^`]*`|//[^\n]*|/\*.*?\*/""", re.DOTALL
)
_WRITES = re.compile(
    r"(?<![.\w$:])(CREATE|MERGE|SET|DELETE|DETACH|REMOVE|DROP|ALTER|COPY|LOAD|INSTALL|"
    r"ATTACH|IMPORT|EXPORT|CHECKPOINT|BEGIN|COMMIT|ROLLBACK|USE)(?!\w|\s*:)",
    re.IGNORECASE,
)


def write_clause(cypher: str) -> str | None:
    """The first write or server-side clause in ``cypher`` (upper case), or None."""
    code = _LITERALS.sub(" ", cypher)
    match = _WRITES.search(code)
    return match.group(1).upper() if match else None
