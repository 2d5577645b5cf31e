"""Jupyter integration: the %cypher magic, result and progress widgets, rich reprs and the
notebook stylesheet.

``%load_ext graph_olap`` (or ``graph_olap.jupyter.load_ipython_extension(shell)``) registers
``%cypher`` / ``%%cypher`` and applies the packaged CSS. Results, plans and SDK models render
through their own ``_repr_*_`` methods, so no display formatter needs registering.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["load_ipython_extension", "unload_ipython_extension"]

logger = logging.getLogger(__name__)


def load_ipython_extension(shell: Any) -> None:
    """Register the magics on ``shell`` and style the notebook; a second call does nothing."""
    from graph_olap.jupyter.magics import CypherMagic

    if _registered(shell) is None:
        shell.register_magics(CypherMagic(shell=shell))
    try:
        from graph_olap.jupyter.styles import apply_notebook_css
    except ImportError:  # the stylesheet module is optional for the magics
        logger.debug("graph_olap.jupyter.styles is not available; no notebook CSS")
        return
    apply_notebook_css()


def unload_ipython_extension(shell: Any) -> None:
    """Remove ``%cypher`` / ``%%cypher`` and close the connections the magic opened."""
    magic = _registered(shell)
    if magic is None:
        return
    for kind in ("line", "cell"):
        shell.magics_manager.magics[kind].pop("cypher", None)
    shell.magics_manager.registry.pop("CypherMagic", None)
    if magic in shell.configurables:
        shell.configurables.remove(magic)
    magic.session.close()


def _registered(shell: Any) -> Any:
    from graph_olap.jupyter.magics import CypherMagic

    magic = shell.magics_manager.registry.get("CypherMagic")
    return magic if isinstance(magic, CypherMagic) else None
