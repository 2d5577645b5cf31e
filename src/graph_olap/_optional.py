"""Lazy imports of optional libraries, failing with the install command that fixes it.

The SDK itself needs only httpx and pydantic. DataFrames, Arrow, NetworkX and progress bars come
from optional packages that are imported the first time a method needs them, so that
``import graph_olap`` stays fast and light. They are returned as ``Any``: the SDK does not depend
on their type stubs.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["ANALYSIS_EXTRA", "require"]

ANALYSIS_EXTRA = "analysis"

# The distribution to install when the import name differs from it.
_DISTRIBUTIONS = {"pyarrow.ipc": "pyarrow"}


def require(module: str, feature: str, *, extra: str | None = ANALYSIS_EXTRA) -> Any:
    """Import ``module`` or raise an ``ImportError`` saying how to install it.

    ``feature`` names what needed it (``"QueryResult.to_pandas()"``); ``extra`` is the
    graph-olap extra that brings the module in (None when no extra does).
    """
    try:
        return import_module(module)
    except ImportError as exc:
        package = _DISTRIBUTIONS.get(module, module.split(".")[0])
        how = f"`pip install 'graph-olap[{extra}]'` (or just `pip install {package}`)"
        if extra is None:
            how = f"`pip install {package}`"
        raise ImportError(
            f"{feature} needs {package}, which is not installed; install it with {how}"
        ) from exc
