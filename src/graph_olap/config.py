"""Client configuration: where the platform is, who is calling, and how patient to be."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlsplit

__all__ = ["DEFAULT_LOCAL_URL", "DEFAULT_NAMESPACE", "Config"]

DEFAULT_LOCAL_URL = "http://localhost:8000"
DEFAULT_NAMESPACE = "graph-olap-local"

_TRUE = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True, slots=True, repr=False)
class Config:
    """Immutable settings shared by the client, its HTTP layer and its resources.

    Authentication uses exactly one header, the first configured of: ``internal_api_key``
    (``X-Internal-Api-Key``, service-to-service), ``api_key`` (``Authorization: Bearer``) and
    ``username`` (``X-Username``, accepted only by a platform running in dev mode).
    """

    api_url: str
    api_key: str | None = None
    internal_api_key: str | None = None
    username: str | None = None
    timeout: float = 30.0
    max_retries: int = 3
    in_cluster: bool = False
    namespace: str = DEFAULT_NAMESPACE

    def __post_init__(self) -> None:
        url = self.api_url.strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"api_url must be an http(s) URL such as {DEFAULT_LOCAL_URL!r}, "
                f"got {self.api_url!r}"
            )
        if self.timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {self.timeout!r}")
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, got {self.max_retries!r}")
        # Frozen dataclass: normalise through object.__setattr__ once, at construction.
        object.__setattr__(self, "api_url", url)

    @property
    def auth_mode(self) -> str | None:
        """Which credential is in use (``internal_api_key``, ``api_key``, ``username``) or None."""
        if self.internal_api_key:
            return "internal_api_key"
        if self.api_key:
            return "api_key"
        if self.username:
            return "username"
        return None

    def auth_headers(self) -> dict[str, str]:
        """The single authentication header for the configured credential."""
        if self.internal_api_key:
            return {"X-Internal-Api-Key": self.internal_api_key}
        if self.api_key:
            return {"Authorization": f"Bearer {self.api_key}"}
        if self.username:
            return {"X-Username": self.username}
        return {}

    def __repr__(self) -> str:
        # Never print a credential: notebooks echo reprs into saved outputs.
        return (
            f"Config(api_url={self.api_url!r}, auth={self.auth_mode!r}, "
            f"username={self.username!r}, timeout={self.timeout!r}, "
            f"max_retries={self.max_retries!r}, in_cluster={self.in_cluster!r}, "
            f"namespace={self.namespace!r})"
        )

    @classmethod
    def from_env(cls, **overrides: Any) -> Config:
        """Build a config from ``GRAPH_OLAP_*`` variables; keyword overrides that are not None win.

        The URL is, in order: ``api_url=``, ``GRAPH_OLAP_API_URL``, the in-cluster service
        ``http://control-plane.{namespace}.svc:8000`` when in-cluster mode is on, and finally
        the local default ``http://localhost:8000``.
        """
        valid = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - valid)
        if unknown:
            raise TypeError(
                f"Unknown configuration option(s) {', '.join(unknown)}; "
                f"valid options are {', '.join(sorted(valid))}"
            )
        given = {key: value for key, value in overrides.items() if value is not None}

        namespace = given.get("namespace") or _env("GRAPH_OLAP_NAMESPACE") or DEFAULT_NAMESPACE
        in_cluster = given.get("in_cluster")
        if in_cluster is None:
            in_cluster = (_env("GRAPH_OLAP_IN_CLUSTER_MODE") or "").lower() in _TRUE

        api_url = given.get("api_url") or _env("GRAPH_OLAP_API_URL")
        if not api_url:
            api_url = (
                f"http://control-plane.{namespace}.svc:8000" if in_cluster else DEFAULT_LOCAL_URL
            )

        config = cls(
            api_url=api_url,
            api_key=_env("GRAPH_OLAP_API_KEY"),
            internal_api_key=_env("GRAPH_OLAP_INTERNAL_API_KEY"),
            username=_env("GRAPH_OLAP_USERNAME"),
            in_cluster=bool(in_cluster),
            namespace=namespace,
        )
        rest = {k: v for k, v in given.items() if k not in ("api_url", "in_cluster", "namespace")}
        return replace(config, **rest)


def _env(name: str) -> str | None:
    # An exported-but-empty variable means "not set", as in most shells' intent.
    value = os.environ.get(name, "").strip()
    return value or None
