"""The packaged notebook stylesheet (``styles/notebook.css``) and how a notebook gets it.

>>> from graph_olap.jupyter.styles import get_notebook_css
>>> Path("~/.jupyter/custom/custom.css").expanduser().write_text(get_notebook_css())

Every rule is scoped under the ``golap`` class, so the sheet can be applied to a whole notebook
(or a JupyterHub's ``custom.css``) without restyling anything else. See docs/notebook-styling.md.
"""

from __future__ import annotations

import re
import weakref
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["STYLE_ELEMENT_ID", "apply_notebook_css", "compact_notebook_css", "get_notebook_css"]

# The id of the <style> element apply_notebook_css() displays (browser tests look for it).
STYLE_ELEMENT_ID = "golap-notebook-css"

# Shells that already received the stylesheet: once per kernel, not once per process, so a test
# (or an embedding app) that makes a second shell gets it again.
_styled_shells: weakref.WeakSet[Any] = weakref.WeakSet()


@cache
def get_notebook_css() -> str:
    """The notebook stylesheet as shipped in the package (light and dark themes)."""
    return (resources.files("graph_olap.jupyter") / "styles" / "notebook.css").read_text(
        encoding="utf-8"
    )


@cache
def compact_notebook_css() -> str:
    """The stylesheet without comments and spare whitespace, for embedding in rich reprs."""
    css = re.sub(r"/\*.*?\*/", "", get_notebook_css(), flags=re.DOTALL)
    css = re.sub(r"\s+", " ", css)
    css = re.sub(r"\s*([{};,>])\s*", r"\1", css)
    return css.replace(";}", "}").strip()


def apply_notebook_css() -> None:
    """Display the stylesheet once in the running notebook kernel; elsewhere do nothing.

    Idempotent per kernel: later calls display nothing. Terminal IPython and plain Python get
    nothing either: they cannot render a ``<style>``, and would print a placeholder instead.
    Rich reprs embed the sheet themselves; this styles the rest (fallback HTML of widgets,
    hand-written ``golap-`` markup) from one output, usually the ``connect()`` cell's.
    """
    shell = _notebook_shell()
    if shell is None or shell in _styled_shells:
        return
    from IPython import display as ipython_display

    show: Any = ipython_display  # IPython.display is untyped
    show.display(show.HTML(f'<style id="{STYLE_ELEMENT_ID}">{compact_notebook_css()}</style>'))
    _styled_shells.add(shell)


def _notebook_shell() -> Any:
    """The running IPython shell if its front-end renders HTML, else None.

    IPython computes only the MIME types its front-end shows (``active_types``): kernels list
    ``text/html``, terminal IPython lists just ``text/plain``.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # IPython is a dependency, but a broken install must not break connect()
        return None
    shell = get_ipython()
    formatter = getattr(shell, "display_formatter", None)
    if shell is None or "text/html" not in getattr(formatter, "active_types", ()):
        return None
    return shell
