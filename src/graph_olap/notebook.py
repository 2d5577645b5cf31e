"""Zero-configuration notebook entry points.

>>> from graph_olap import notebook
>>> client = notebook.connect()        # GRAPH_OLAP_* variables, else http://localhost:8000

In a notebook, ``connect()`` also styles the notebook (the packaged ``notebook.css``) and makes
DataFrames interactive with itables when it is installed, once per kernel. In plain Python or
terminal IPython it only connects: there is nothing there to render HTML.
"""

from __future__ import annotations

import logging
import weakref
from importlib import import_module
from typing import Any

from graph_olap.client import GraphOLAPClient
from graph_olap.jupyter.styles import _notebook_shell, apply_notebook_css

__all__ = ["connect", "get_client", "init"]

logger = logging.getLogger(__name__)

# The notebook-wide client, so helpers (magics, widgets) can find it without being passed it.
_current_client: GraphOLAPClient | None = None
_itables_ready = False
# Kernels (shells) where itables is already initialised: its set-up output must appear once.
_itables_shells: weakref.WeakSet[Any] = weakref.WeakSet()


def connect(
    api_url: str | None = None, api_key: str | None = None, **kwargs: Any
) -> GraphOLAPClient:
    """Connect to the platform and remember the client for :func:`get_client`.

    Configuration comes from ``GRAPH_OLAP_*`` variables unless given here; ``kwargs`` are the
    other ``GraphOLAPClient.from_env`` options (``username``, ``timeout``, ``max_retries``, ...).
    """
    global _current_client
    _setup_notebook()
    _current_client = GraphOLAPClient.from_env(api_url=api_url, api_key=api_key, **kwargs)
    return _current_client


def init(api_url: str | None = None, api_key: str | None = None, **kwargs: Any) -> GraphOLAPClient:
    """Alias of :func:`connect`."""
    return connect(api_url=api_url, api_key=api_key, **kwargs)


def get_client() -> GraphOLAPClient | None:
    """The client of the last :func:`connect`, or None before it."""
    return _current_client


def _setup_notebook() -> None:
    """Style the notebook and make DataFrames interactive; a display nicety never stops connect."""
    try:
        apply_notebook_css()
    except Exception:
        logger.debug("the notebook stylesheet could not be applied", exc_info=True)
    _setup_itables()


def _setup_itables() -> None:
    """Make DataFrames interactive when itables is installed and a notebook shows the tables.

    Outside a notebook this does nothing: itables' set-up is HTML and JavaScript, which plain
    Python and terminal IPython would print as placeholders.
    """
    global _itables_ready
    shell = _notebook_shell()
    if shell is None or shell in _itables_shells:
        return
    try:
        itables = import_module("itables")
    except ImportError:
        return
    try:
        _init_itables_offline(itables)
    except Exception:  # a display nicety must never stop a notebook from connecting
        logger.debug("itables is installed but could not be initialised", exc_info=True)
        return
    _itables_shells.add(shell)
    _itables_ready = True


def _init_itables_offline(itables: Any) -> None:
    """``itables.init_notebook_mode(all_interactive=True)`` (offline: DataTables travels inside
    the output, no CDN), with its two outputs shown in the order that works in JupyterLab 4 and
    Notebook 7.

    itables (2.9.1) displays a module script first that runs
    ``const { set_or_remove_dark_class } = await window._itables_<version>;`` and only then the
    output whose classic script defines ``window._itables_<version>`` (the bundle's import).
    JupyterLab and Notebook 7 run a module script as soon as its output is rendered, before
    the next output arrives, so the first script awaits ``undefined`` and the page raises
    "Cannot destructure property 'set_or_remove_dark_class'"; tables still work, but the dark
    theme watcher is never installed. Shown bundle first, the awaited promise exists when the
    module script runs. The outputs are itables' own, unchanged, so a saved notebook reopens
    the same way.
    """
    from IPython.display import display
    from IPython.utils.capture import capture_output

    with capture_output(stdout=False, stderr=False, display=True) as captured:
        itables.init_notebook_mode(all_interactive=True)
    outputs = list(captured.outputs)

    def awaits_bundle(output: Any) -> bool:
        html = str(output.data.get("text/html", ""))
        return "set_or_remove_dark_class" in html and "injectModule" not in html

    for output in sorted(outputs, key=awaits_bundle):  # stable: only that script moves last
        display(output.data, metadata=output.metadata, raw=True)  # type: ignore[no-untyped-call]
