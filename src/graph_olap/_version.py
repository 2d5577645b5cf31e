"""The installed version, in its own module so ``http`` can import it without a cycle."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("graph-olap")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
