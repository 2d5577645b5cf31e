"""Parsing ``%cypher`` / ``%%cypher`` arguments into a typed :class:`CypherCommand`.

Flags are split shell-style (``shlex``) and read by an argparse parser that raises
``UsageError`` (IPython's ``MagicArgumentParser``): unknown or abbreviated flags are refused.
In the line form the query is the raw text after the flags, never re-split, so its quotes and
spacing reach the engine exactly as typed.
"""

from __future__ import annotations

import argparse
import io
import re
import shlex
from dataclasses import dataclass
from typing import Literal

from IPython.core.error import UsageError
from IPython.core.magic_arguments import MagicArgumentParser

from graph_olap.instance.connection import MAX_QUERY_TIMEOUT, MIN_QUERY_TIMEOUT

__all__ = ["CypherCommand", "Frame", "PlanMode", "View", "build_parser", "parse_cell", "parse_line"]

View = Literal["table", "graph", "json"]
Frame = Literal["pandas", "polars"]
PlanMode = Literal["explain", "profile"]
VIEWS: tuple[View, ...] = ("table", "graph", "json")

# Flags that take a value: the line form must know them to find where the query starts.
_VALUE_FLAGS = frozenset(
    {"-i", "--instance", "--use", "-P", "--params", "-o", "--out", "--limit", "--timeout", "--view"}
)
_NUMBER = re.compile(r"^-\d")


@dataclass(frozen=True, kw_only=True)
class CypherCommand:
    """One ``%cypher`` / ``%%cypher`` invocation, validated."""

    query: str
    instance: str | None = None
    """``-i``: an instance id or name for this cell."""
    use: str | None = None
    """``--use``: an instance id or name to make the session default."""
    params_var: str | None = None
    out: str | None = None
    frame: Frame | None = None
    limit: int | None = None
    timeout: float | None = None
    view: View | None = None
    plan: PlanMode | None = None
    quiet: bool = False


def build_parser(prog: str) -> MagicArgumentParser:
    parser = MagicArgumentParser(prog=prog, add_help=False)  # type: ignore[no-untyped-call]
    parser.allow_abbrev = False  # --lim would silently mean --limit
    parser.add_argument("-i", "--instance", metavar="ID|NAME", help="instance for this query")
    parser.add_argument(
        "--use",
        metavar="ID|NAME",
        help="make this instance the session default (alone: just set it)",
    )
    parser.add_argument(
        "-P", "--params", metavar="VAR", help="a dict in the notebook with parameter values"
    )
    parser.add_argument("-o", "--out", metavar="VAR", help="also store the result in VAR")
    frames = parser.add_mutually_exclusive_group()
    frames.add_argument(
        "--df", action="store_true", help="return a pandas DataFrame (Arrow, every row)"
    )
    frames.add_argument(
        "--polars", action="store_true", help="return a polars DataFrame (Arrow, every row)"
    )
    parser.add_argument("--limit", metavar="N", type=int, help="fetch at most N rows")
    parser.add_argument(
        "--timeout", metavar="S", type=float, help="engine time limit in seconds (1-1800)"
    )
    parser.add_argument("--view", choices=VIEWS, help="tab shown first: table, graph or json")
    plans = parser.add_mutually_exclusive_group()
    plans.add_argument("--explain", action="store_true", help="show the plan, do not run")
    plans.add_argument(
        "--profile", action="store_true", help="run and show the per-operator profile"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no timing line")
    return parser


_LINE_PARSER = build_parser("%cypher")
_CELL_PARSER = build_parser("%%cypher")


def parse_line(line: str) -> CypherCommand:
    """``%cypher [flags] QUERY``: flags first, the query is the rest of the line."""
    argv, query = _split_flags(line)
    return _command(_parse(_LINE_PARSER, argv), query, line_magic=True)


def parse_cell(line: str, cell: str) -> CypherCommand:
    """``%%cypher [flags]`` with the query in the cell body (nothing else on the line)."""
    try:
        argv = shlex.split(line, posix=True)
    except ValueError as exc:
        raise UsageError(f"%%cypher: cannot read the flags ({exc}): {line!r}") from None
    return _command(_parse(_CELL_PARSER, argv), cell, line_magic=False)


def _parse(parser: MagicArgumentParser, argv: list[str]) -> argparse.Namespace:
    try:
        return parser.parse_args(argv)
    except UsageError as exc:
        raise UsageError(f"{parser.prog}: {exc}\n{parser.format_usage().strip()}") from None


def _split_flags(line: str) -> tuple[list[str], str]:
    stream = io.StringIO(line)
    lexer = shlex.shlex(stream, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    argv: list[str] = []
    wants_value = False
    try:
        while True:
            start = stream.tell()
            token = lexer.get_token()
            if token is None or token == lexer.eof:
                return argv, ""
            if wants_value:
                argv.append(token)
                wants_value = False
            elif token == "--":
                return argv, line[stream.tell() :].strip()
            elif token.startswith("-") and not _NUMBER.match(token):
                argv.append(token)
                wants_value = token in _VALUE_FLAGS
            else:
                return argv, line[start:].strip()
    except ValueError as exc:
        raise UsageError(f"%cypher: cannot read the flags ({exc}): {line!r}") from None


def _command(args: argparse.Namespace, query: str, *, line_magic: bool) -> CypherCommand:
    query = query.strip()
    magic = "%cypher" if line_magic else "%%cypher"
    if not query and args.use is None:
        where = "after the flags" if line_magic else "in the cell below the %%cypher line"
        raise UsageError(f"{magic}: no query; write the Cypher {where}")
    if args.limit is not None and args.limit < 1:
        raise UsageError(f"{magic}: --limit is a number of rows, 1 or more; got {args.limit}")
    if args.timeout is not None and not MIN_QUERY_TIMEOUT <= args.timeout <= MAX_QUERY_TIMEOUT:
        raise UsageError(
            f"{magic}: --timeout is in seconds, from {MIN_QUERY_TIMEOUT:g} to "
            f"{MAX_QUERY_TIMEOUT:g}; got {args.timeout:g}"
        )
    frame: Frame | None = "pandas" if args.df else "polars" if args.polars else None
    plan: PlanMode | None = "explain" if args.explain else "profile" if args.profile else None
    if frame is not None and args.view is not None:
        raise UsageError(f"{magic}: --view chooses a result tab; a DataFrame has none")
    if plan is not None and (frame is not None or args.limit is not None):
        flag = "--explain" if plan == "explain" else "--profile"
        other = "--limit" if args.limit is not None else "--df/--polars"
        raise UsageError(f"{magic}: {flag} shows the engine's plan; {other} does not apply")
    for flag, name in (("-o", args.out), ("-P", args.params)):
        if name is not None and not name.isidentifier():
            raise UsageError(f"{magic}: {flag} needs a Python variable name, got {name!r}")
    return CypherCommand(
        query=query,
        instance=args.instance,
        use=args.use,
        params_var=args.params,
        out=args.out,
        frame=frame,
        limit=args.limit,
        timeout=args.timeout,
        view=args.view,
        plan=plan,
        quiet=args.quiet,
    )
