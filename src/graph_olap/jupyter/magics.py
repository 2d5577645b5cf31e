"""``%cypher`` / ``%%cypher``: Cypher cells against graph instances (docs/magics.md).

The magic class is thin on purpose: it reads its configuration, parses the arguments into a
:class:`~graph_olap.jupyter._cypher_command.CypherCommand` and hands it to
:func:`~graph_olap.jupyter._cypher_run.run_command`.

Display: the cell's value is the result itself (a ``QueryResult`` subclass that remembers
``--view`` and ``display_limit``), so ``_``, ``Out[n]`` and ``-o`` hold the data and the
displayhook renders it once, as the result widget with the chosen tab.
"""

from __future__ import annotations

from typing import Any

from IPython.core.interactiveshell import InteractiveShell
from IPython.core.magic import (
    Magics,
    line_cell_magic,
    magics_class,
    needs_local_scope,
    no_var_expand,
)
from traitlets import Bool, Enum, Float, Int, TraitError, validate

from graph_olap.jupyter._cypher_command import (
    VIEWS,
    build_parser,
    parse_cell,
    parse_line,
)
from graph_olap.jupyter._cypher_run import CypherSession, MagicSettings, run_command

__all__ = ["CypherMagic"]

_HELP = """Run Cypher on a graph instance.

    %%cypher [flags]          the query is the cell body
    %cypher [flags] QUERY     the query is the rest of the line
    %cypher --use ID|NAME     make an instance the session default

$name in the query is bound (server-side, as a value) to the notebook variable `name`.
Without -i/--use, the query goes to the last instance connected in this session.
Settings: %config CypherMagic (display_limit, default_view, feedback, default_timeout,
show_traceback). See docs/magics.md.

"""


@magics_class
class CypherMagic(Magics):
    """The ``%cypher`` line and ``%%cypher`` cell magic, configurable with ``%config``."""

    display_limit = Int(
        1000, help="Rows sent to the browser by the result widget (the result keeps all)."
    ).tag(config=True)
    default_view = Enum(
        VIEWS, default_value="table", help="Tab a result opens on: table, graph or json."
    ).tag(config=True)
    feedback = Int(
        1, help="0: silent; 1: a timing line and truncation notes; 2: also the parameters."
    ).tag(config=True)
    default_timeout = Float(
        None, allow_none=True, help="Engine time limit in seconds (None: the instance's, 60)."
    ).tag(config=True)
    show_traceback = Bool(
        False, help="Raise the SDK's exceptions with tracebacks instead of short messages."
    ).tag(config=True)

    def __init__(self, shell: InteractiveShell | None = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self.session = CypherSession()

    @validate("display_limit")
    def _check_display_limit(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if value < 0:
            raise TraitError(f"display_limit is a number of rows, 0 or more; got {value}")
        return value

    @validate("default_timeout")
    def _check_timeout(self, proposal: dict[str, Any]) -> float | None:
        value = proposal["value"]
        if value is not None and not 1 <= value <= 1800:
            raise TraitError(f"default_timeout is in seconds, from 1 to 1800; got {value}")
        return None if value is None else float(value)

    def settings(self) -> MagicSettings:
        return MagicSettings(
            display_limit=self.display_limit,
            default_view=self.default_view,
            feedback=self.feedback,
            default_timeout=self.default_timeout,
            show_traceback=self.show_traceback,
        )

    # IPython would otherwise replace $name and {name} in the line with the variable's text
    # before the magic sees it: exactly the substitution $parameters exist to avoid.
    @no_var_expand
    @needs_local_scope
    @line_cell_magic
    def cypher(
        self, line: str, cell: str | None = None, local_ns: dict[str, Any] | None = None
    ) -> Any:
        command = parse_line(line) if cell is None else parse_cell(line, cell)
        shell = self.shell
        assert shell is not None
        namespace = shell.user_ns
        if local_ns is not None and local_ns is not namespace:
            # %cypher inside a function: its locals first, then the notebook's globals.
            namespace = _Chained(local_ns, shell.user_ns)
        return run_command(
            command, session=self.session, settings=self.settings(), namespace=namespace
        )

    cypher.__doc__ = _HELP + build_parser("%cypher").format_help()


class _Chained(dict[str, Any]):
    """Reads from ``first`` then ``second``; writes (``-o``) go to ``second`` (the notebook)."""

    def __init__(self, first: dict[str, Any], second: dict[str, Any]) -> None:
        super().__init__(second)
        self.update(first)
        self._target = second

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self._target[key] = value
