"""App-wide behaviour (spec §1): envelopes for every failure, request ids, health and docs."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.graph_olap_platform.control_plane.helpers import data_of, error_fields, error_of
from tests.support.platform import PlatformProcess

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# -- errors are JSON envelopes -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/nope", "/api", "/api/nope", "/api/mappings/1/nope", "/api/mappings/1/versions/1/x"]
)
@pytest.mark.parametrize("who", ["alice.smith", None])
def test_an_unknown_route_is_a_404_envelope(
    platform: PlatformProcess, path: str, who: str | None
) -> None:
    with platform.http(who) as client:
        response = client.get(path, headers={"Accept": "text/html"})

    error = error_of(response, 404, "RESOURCE_NOT_FOUND")
    assert error["details"] == {"path": path}
    assert "<html" not in response.text.lower()


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/api/mappings", {"GET", "POST"}),
        ("PATCH", "/api/mappings/1", {"GET", "PUT", "DELETE"}),
        ("POST", "/api/mappings/1/versions", {"GET"}),
        ("GET", "/api/mappings/1/copy", {"POST"}),
        ("POST", "/health", {"GET"}),
    ],
)
def test_a_wrong_method_is_a_405_envelope(
    alice: httpx.Client, method: str, path: str, allowed: set[str]
) -> None:
    response = alice.request(method, path)

    error = error_of(response, 405, "METHOD_NOT_ALLOWED")
    assert set(error["details"]["allowed_methods"]) == allowed
    assert {m.strip() for m in response.headers["allow"].split(",")} == allowed


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/mappings?limit=abc", "limit"),
        ("/api/mappings?limit=101", "limit"),
        ("/api/mappings?offset=-1", "offset"),
        ("/api/mappings?sort_order=sideways", "sort_order"),
        ("/api/mappings?created_before=2025-13-45", "created_before"),
        ("/api/mappings/abc", "mapping_id"),
        ("/api/mappings/0", "mapping_id"),
        ("/api/mappings/-3/versions", "mapping_id"),
        ("/api/mappings/1/versions/0", "version"),
        ("/api/mappings/1/versions/two", "version"),
        ("/api/mappings/1/versions/1/diff/x", "to_version"),
        ("/api/mappings/1/versions?limit=0", "limit"),
        ("/api/mappings/1/snapshots?offset=x", "offset"),
        ("/api/mappings/1/instances?limit=1000", "limit"),
        ("/api/mappings/1/tree?include_instances=maybe", "include_instances"),
    ],
)
def test_invalid_parameters_are_400_never_422(alice: httpx.Client, path: str, field: str) -> None:
    response = alice.get(path)

    assert response.status_code != 422
    assert error_fields(response) == [field]
    assert response.json()["error"]["message"] == "Invalid request parameters"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"/api/mappings/{2**31}", "mapping_id"),
        ("/api/mappings/99999999999999999999999", "mapping_id"),
        (f"/api/mappings/1/versions/{2**31}", "version"),
        (f"/api/mappings?offset={2**63}", "offset"),
        ("/api/mappings/1/versions?offset=99999999999999999999999", "offset"),
    ],
)
def test_numbers_beyond_the_store_columns_are_400(
    alice: httpx.Client, path: str, field: str
) -> None:
    # Ids are 32-bit INTEGER columns and offsets BIGINT: larger numbers used to overflow in the
    # database driver (a 500, and on SQLite for offsets as well).
    assert error_fields(alice.get(path)) == [field]


def test_the_largest_offset_is_an_empty_page(alice: httpx.Client) -> None:
    response = alice.get("/api/mappings", params={"offset": 2**63 - 1, "limit": 1})

    assert data_of(response) == []
    assert response.json()["meta"]["offset"] == 2**63 - 1


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/mappings?owner=al%00ice", "owner"),
        ("/api/mappings?search=%00", "search"),
        ("/api/mappings/1/tree?status=ready%00", "status"),
        ("/api/users/alice%00smith", "path"),
    ],
)
def test_nul_characters_in_the_url_are_400(admin: httpx.Client, path: str, field: str) -> None:
    # PostgreSQL text cannot hold NUL; this used to be a 500 there.
    response = admin.get(path)

    assert error_fields(response) == [field]


def test_errors_do_not_leak_internals(alice: httpx.Client) -> None:
    response = alice.post(
        "/api/mappings", content=b'{"name": ', headers={"Content-Type": "application/json"}
    )

    error_of(response, 400, "VALIDATION_FAILED")
    assert "Traceback" not in response.text
    assert 'File "' not in response.text


# -- request ids -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/mappings", 200),
        ("GET", "/api/mappings/2000000000", 404),
        ("DELETE", "/api/mappings", 405),
        ("GET", "/api/mappings?limit=0", 400),
        ("GET", "/health", 200),
    ],
)
def test_an_incoming_request_id_is_echoed(
    alice: httpx.Client, method: str, path: str, status: int
) -> None:
    response = alice.request(method, path, headers={"X-Request-ID": "trace-42.a:b_c"})

    assert response.status_code == status
    assert response.headers["x-request-id"] == "trace-42.a:b_c"
    assert response.json()["meta"]["request_id"] == "trace-42.a:b_c"


def test_an_unauthenticated_request_echoes_its_request_id(anonymous: httpx.Client) -> None:
    response = anonymous.get("/api/mappings", headers={"X-Request-ID": "anon-1"})

    error_of(response, 401, "UNAUTHORIZED")
    assert response.headers["x-request-id"] == "anon-1"


def test_a_request_id_is_generated_when_absent(alice: httpx.Client) -> None:
    first = alice.get("/api/mappings", params={"limit": 1})
    second = alice.get("/api/mappings/2000000000")

    ids = []
    for response in (first, second):
        rid = response.headers["x-request-id"]
        assert rid == response.json()["meta"]["request_id"]
        assert UUID.search(rid), rid
        ids.append(rid)
    assert ids[0] != ids[1]


@pytest.mark.parametrize("incoming", ["has space", "x" * 129, "<script>", ""])
def test_an_unsafe_request_id_is_replaced(alice: httpx.Client, incoming: str) -> None:
    response = alice.get("/health", headers={"X-Request-ID": incoming})

    rid = response.headers["x-request-id"]
    assert rid != incoming
    assert UUID.search(rid)
    assert response.json()["meta"]["request_id"] == rid


# -- health and docs ---------------------------------------------------------------------------


def test_health(anonymous: httpx.Client) -> None:
    health = data_of(anonymous.get("/health"))

    assert health["status"] == "ok"
    assert isinstance(health["version"], str) and health["version"]
    assert health["checked_at"].endswith("Z")


def test_ready_names_the_database(platform: PlatformProcess, anonymous: httpx.Client) -> None:
    ready = data_of(anonymous.get("/ready"))

    assert ready["status"] == "ready"
    assert ready["database"] == platform.backend
    assert ready["database"] in {"sqlite", "postgresql"}


def test_docs_serve_html(anonymous: httpx.Client) -> None:
    response = anonymous.get("/docs")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "openapi.json" in response.text


def test_openapi_lists_the_mapping_api(anonymous: httpx.Client) -> None:
    response = anonymous.get("/openapi.json")

    assert response.status_code == 200
    spec = response.json()
    paths = spec["paths"]
    expected = {
        "/api/mappings": {"get", "post"},
        "/api/mappings/{mapping_id}": {"get", "put", "delete"},
        "/api/mappings/{mapping_id}/copy": {"post"},
        "/api/mappings/{mapping_id}/lifecycle": {"put"},
        "/api/mappings/{mapping_id}/versions": {"get"},
        "/api/mappings/{mapping_id}/versions/{version}": {"get"},
        "/api/mappings/{mapping_id}/versions/{from_version}/diff/{to_version}": {"get"},
        "/api/mappings/{mapping_id}/tree": {"get"},
        "/api/mappings/{mapping_id}/snapshots": {"get"},
        "/api/mappings/{mapping_id}/instances": {"get"},
        "/health": {"get"},
        "/ready": {"get"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
    create = paths["/api/mappings"]["post"]["requestBody"]["content"]["application/json"]
    assert {"name", "node_definitions"} <= set(create["schema"]["required"])
