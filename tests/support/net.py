"""Loopback networking helpers (the platform's own)."""

from graph_olap_platform.net import free_port

__all__ = ["free_port"]
