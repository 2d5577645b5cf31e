"""Working with a running instance: the connection, its query results and its algorithms."""

from graph_olap.instance.algorithms import AlgorithmManager, NetworkXManager
from graph_olap.instance.connection import InstanceConnection
from graph_olap.instance.result import QueryResult

__all__ = ["AlgorithmManager", "InstanceConnection", "NetworkXManager", "QueryResult"]
