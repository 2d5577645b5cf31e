"""The notebook widgets (anywidget): results, graphs and live progress."""

from graph_olap.jupyter.widgets._bundle import BundleMissingError
from graph_olap.jupyter.widgets.graph import GraphWidget
from graph_olap.jupyter.widgets.graph_data import GraphData, extract_graph
from graph_olap.jupyter.widgets.progress import ProgressWidget
from graph_olap.jupyter.widgets.result import ResultWidget

__all__ = [
    "BundleMissingError",
    "GraphData",
    "GraphWidget",
    "ProgressWidget",
    "ResultWidget",
    "extract_graph",
]
