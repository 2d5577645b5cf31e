"""The graph-olap platform: control plane, warehouse layer, instance wrappers and launcher.

Installed with the ``platform`` extra. It imports the client's wire models (``graph_olap.models``)
so the REST contract has a single definition.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("graph-olap")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"

__all__ = ["__version__"]
