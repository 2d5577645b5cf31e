"""Working with a running instance: the connection and its query results."""

from graph_olap.instance.connection import InstanceConnection
from graph_olap.instance.result import QueryResult

__all__ = ["InstanceConnection", "QueryResult"]
