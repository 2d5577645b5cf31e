"""Config: environment variables, URL defaults, validation and auth headers."""

from __future__ import annotations

from typing import Any

import pytest

from graph_olap import GraphOLAPClient
from graph_olap.config import Config


def test_defaults_to_localhost_without_environment() -> None:
    config = Config.from_env()

    assert config.api_url == "http://localhost:8000"
    assert (config.api_key, config.internal_api_key, config.username) == (None, None, None)
    assert (config.timeout, config.max_retries) == (30.0, 3)
    assert (config.in_cluster, config.namespace) == (False, "graph-olap-local")


def test_reads_every_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPH_OLAP_API_URL", "https://olap.example.com/")
    monkeypatch.setenv("GRAPH_OLAP_API_KEY", "sk-1")
    monkeypatch.setenv("GRAPH_OLAP_INTERNAL_API_KEY", "ik-1")
    monkeypatch.setenv("GRAPH_OLAP_USERNAME", "alice")
    monkeypatch.setenv("GRAPH_OLAP_IN_CLUSTER_MODE", "true")
    monkeypatch.setenv("GRAPH_OLAP_NAMESPACE", "analytics")

    config = Config.from_env()

    assert config.api_url == "https://olap.example.com"
    assert (config.api_key, config.internal_api_key, config.username) == ("sk-1", "ik-1", "alice")
    assert (config.in_cluster, config.namespace) == (True, "analytics")


@pytest.mark.parametrize("flag", ["true", "TRUE", "1", "yes"])
def test_in_cluster_uses_service_dns_of_namespace(
    monkeypatch: pytest.MonkeyPatch, flag: str
) -> None:
    monkeypatch.setenv("GRAPH_OLAP_IN_CLUSTER_MODE", flag)
    monkeypatch.setenv("GRAPH_OLAP_NAMESPACE", "team-a")

    assert Config.from_env().api_url == "http://control-plane.team-a.svc:8000"


def test_in_cluster_default_namespace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPH_OLAP_IN_CLUSTER_MODE", "true")

    assert Config.from_env().api_url == "http://control-plane.graph-olap-local.svc:8000"


@pytest.mark.parametrize("flag", ["false", "0", "no", ""])
def test_in_cluster_off_values(monkeypatch: pytest.MonkeyPatch, flag: str) -> None:
    monkeypatch.setenv("GRAPH_OLAP_IN_CLUSTER_MODE", flag)

    assert Config.from_env().api_url == "http://localhost:8000"


def test_env_url_beats_in_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPH_OLAP_API_URL", "http://cp:9000")
    monkeypatch.setenv("GRAPH_OLAP_IN_CLUSTER_MODE", "true")

    assert Config.from_env().api_url == "http://cp:9000"


def test_overrides_beat_environment_and_none_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPH_OLAP_API_URL", "http://env:8000")
    monkeypatch.setenv("GRAPH_OLAP_API_KEY", "env-key")

    config = Config.from_env(api_url="http://arg:8000", api_key=None, timeout=5, max_retries=0)

    assert config.api_url == "http://arg:8000"
    assert config.api_key == "env-key"
    assert (config.timeout, config.max_retries) == (5, 0)


def test_in_cluster_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPH_OLAP_IN_CLUSTER_MODE", "true")

    assert Config.from_env(in_cluster=False).api_url == "http://localhost:8000"
    assert (
        Config.from_env(in_cluster=True, namespace="x").api_url == "http://control-plane.x.svc:8000"
    )


def test_empty_variables_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPH_OLAP_API_URL", "")
    monkeypatch.setenv("GRAPH_OLAP_API_KEY", "  ")

    config = Config.from_env()

    assert config.api_url == "http://localhost:8000"
    assert config.api_key is None


def test_unknown_override_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="max_retrys"):
        Config.from_env(max_retrys=2)


@pytest.mark.parametrize("url", ["localhost:8000", "ftp://host", "http://", ""])
def test_invalid_url_is_rejected_with_an_example(url: str) -> None:
    with pytest.raises(ValueError, match="http://localhost:8000"):
        Config(api_url=url)


@pytest.mark.parametrize(("field", "value"), [("timeout", 0), ("max_retries", -1)])
def test_invalid_numbers_are_rejected(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=field):
        kwargs: dict[str, Any] = {field: value}
        Config(api_url="http://x", **kwargs)


@pytest.mark.parametrize(
    ("credentials", "headers", "mode"),
    [
        (
            {"internal_api_key": "ik", "api_key": "ak", "username": "u"},
            {"X-Internal-Api-Key": "ik"},
            "internal_api_key",
        ),
        ({"api_key": "ak", "username": "u"}, {"Authorization": "Bearer ak"}, "api_key"),
        ({"username": "u"}, {"X-Username": "u"}, "username"),
        ({}, {}, None),
    ],
)
def test_auth_headers_priority(
    credentials: dict[str, Any], headers: dict[str, str], mode: str | None
) -> None:
    config = Config(api_url="http://x", **credentials)

    assert config.auth_headers() == headers
    assert config.auth_mode == mode


def test_repr_never_shows_credentials() -> None:
    config = Config(api_url="http://x", api_key="sk-secret", internal_api_key="ik-secret")
    client = GraphOLAPClient("http://x", api_key="sk-secret")

    for text in (repr(config), repr(client)):
        assert "secret" not in text
    assert "auth='internal_api_key'" in repr(config)
    assert repr(client) == "GraphOLAPClient(api_url='http://x', auth='api_key')"
    client.close()


def test_config_is_immutable() -> None:
    config = Config(api_url="http://x")

    with pytest.raises(AttributeError):
        config.api_url = "http://y"  # type: ignore[misc]


def test_client_from_env_uses_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPH_OLAP_API_URL", "http://env:8000")
    monkeypatch.setenv("GRAPH_OLAP_USERNAME", "alice")

    with GraphOLAPClient.from_env(timeout=12) as client:
        assert client.config.api_url == "http://env:8000"
        assert client.config.username == "alice"
        assert client.config.timeout == 12
        assert repr(client) == (
            "GraphOLAPClient(api_url='http://env:8000', auth='username', username='alice')"
        )
