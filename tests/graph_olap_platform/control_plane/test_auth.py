"""Authentication (API keys; X-Username only in dev mode) and permissions (spec §1).

Everyone reads everything; writes to a mapping are for its owner, or for admin and ops; user
administration needs admin, and nobody grants a role above their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from graph_olap_platform.control_plane.store.db import Store
from graph_olap_platform.control_plane.store.tables import User
from tests.graph_olap_platform.control_plane.helpers import (
    create,
    data_of,
    error_of,
    page_of,
    seed_body,
    seed_update,
    simple_body,
    token,
)
from tests.support.platform import PlatformProcess

PROTECTED = [
    ("GET", "/api/mappings"),
    ("POST", "/api/mappings"),
    ("GET", "/api/mappings/1"),
    ("PUT", "/api/mappings/1"),
    ("DELETE", "/api/mappings/1"),
    ("POST", "/api/mappings/1/copy"),
    ("PUT", "/api/mappings/1/lifecycle"),
    ("GET", "/api/mappings/1/versions"),
    ("GET", "/api/mappings/1/tree"),
    ("GET", "/api/users/me"),
    ("GET", "/api/users"),
]


# -- authentication ----------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_no_credentials_is_401(anonymous: httpx.Client, method: str, path: str) -> None:
    response = anonymous.request(method, path, json={"name": "x"})

    error = error_of(response, 401, "UNAUTHORIZED")
    assert response.headers["www-authenticate"] == "Bearer"
    assert "Bearer" in error["message"]
    assert error["details"] == {}


def test_unauthenticated_create_writes_nothing(
    anonymous: httpx.Client, alice: httpx.Client
) -> None:
    tag = token()

    error_of(anonymous.post("/api/mappings", json=simple_body(f"Anon {tag}")), 401, "UNAUTHORIZED")

    assert page_of(alice.get("/api/mappings", params={"search": tag}))[1]["total"] == 0


@pytest.mark.parametrize("key", ["gok_not-a-real-key", "x", "gok_" + "A" * 43])
def test_an_unknown_api_key_is_401(platform: PlatformProcess, key: str) -> None:
    with httpx.Client(base_url=platform.url, headers={"Authorization": f"Bearer {key}"}) as client:
        response = client.get("/api/mappings")

    error = error_of(response, 401, "UNAUTHORIZED")
    assert error["message"].startswith("Invalid API key")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header",
    [
        "Basic YWxpY2U6c2VjcmV0",
        "Bearer",
        "Token gok_abc",
        "{key}",
        "Bearer: {key}",
        "Bearer {key} x",
    ],
)
def test_a_malformed_authorization_header_is_401(platform: PlatformProcess, header: str) -> None:
    value = header.format(key=platform.keys["alice.smith"])
    with httpx.Client(base_url=platform.url, headers={"Authorization": value}) as client:
        response = client.get("/api/mappings")

    error_of(response, 401, "UNAUTHORIZED")
    assert response.headers["www-authenticate"] == "Bearer"


def test_the_bearer_scheme_is_case_insensitive(platform: PlatformProcess) -> None:
    headers = {"Authorization": f"bearer {platform.keys['alice.smith']}"}
    with httpx.Client(base_url=platform.url, headers=headers) as client:
        assert data_of(client.get("/api/users/me"))["username"] == "alice.smith"


def test_x_username_is_refused_outside_dev_mode(anonymous: httpx.Client) -> None:
    response = anonymous.get("/api/mappings", headers={"X-Username": "alice.smith"})

    error = error_of(response, 401, "UNAUTHORIZED")
    assert "dev mode" in error["message"]


def test_x_username_cannot_create_outside_dev_mode(
    anonymous: httpx.Client, alice: httpx.Client
) -> None:
    tag = token()
    body = simple_body(f"Spoofed {tag}")

    response = anonymous.post("/api/mappings", json=body, headers={"X-Username": "admin.user"})

    error_of(response, 401, "UNAUTHORIZED")
    assert page_of(alice.get("/api/mappings", params={"search": tag}))[1]["total"] == 0


def test_an_api_key_wins_over_x_username(alice: httpx.Client) -> None:
    response = alice.get("/api/users/me", headers={"X-Username": "admin.user"})

    assert data_of(response)["username"] == "alice.smith"


def test_me_returns_the_caller(alice: httpx.Client, admin: httpx.Client) -> None:
    me = data_of(alice.get("/api/users/me"))

    assert me["username"] == "alice.smith"
    assert me["role"] == "analyst"
    assert me["display_name"] == "Alice Smith"
    assert me["is_active"] is True
    assert "api_key" not in me
    assert data_of(admin.get("/api/users/me"))["role"] == "admin"


def test_a_disabled_user_is_401_user_disabled(
    platform: PlatformProcess, admin: httpx.Client, store: Store
) -> None:
    username = f"leaver.{token()}"
    created = data_of(admin.post("/api/users", json={"username": username}), 201)
    # There is no API to disable users yet; flip the flag as an operator would in the store.
    with store.session(write=True) as session:
        user = session.get(User, username)
        assert user is not None
        user.is_active = False
    headers = {"Authorization": f"Bearer {created['api_key']}"}

    with httpx.Client(base_url=platform.url, headers=headers) as client:
        response = client.get("/api/mappings")

    error_of(response, 401, "USER_DISABLED")


# -- dev mode ----------------------------------------------------------------------------------


@pytest.fixture
def dev_client(dev_platform: PlatformProcess) -> Iterator[httpx.Client]:
    with dev_platform.http(None) as client:
        yield client


def test_dev_mode_provisions_an_unknown_username_as_an_analyst(dev_client: httpx.Client) -> None:
    username = f"dev.{token()}"
    headers = {"X-Username": username}

    me = data_of(dev_client.get("/api/users/me", headers=headers))

    assert me["username"] == username
    assert me["role"] == "analyst"
    assert me["is_active"] is True
    # The second request finds the same user instead of provisioning it again.
    assert data_of(dev_client.get("/api/users/me", headers=headers)) == me


def test_dev_mode_user_owns_what_it_creates(dev_client: httpx.Client) -> None:
    username = f"dev.{token()}"

    response = dev_client.post(
        "/api/mappings",
        # Only the nodes: the seed's illustrative edge SQL is not in the demo warehouse.
        json=seed_body(token(), edge_definitions=[]),
        headers={"X-Username": username},
    )

    created = data_of(response, 201)
    assert created["owner_username"] == username
    assert created["version"]["created_by"] == username


def test_dev_mode_keeps_roles_of_existing_users(dev_platform: PlatformProcess) -> None:
    with dev_platform.http(None) as client:
        me = data_of(client.get("/api/users/me", headers={"X-Username": "admin.user"}))

    assert me["role"] == "admin"


def test_dev_mode_still_accepts_api_keys(dev_platform: PlatformProcess) -> None:
    with dev_platform.http("bob.jones") as client:
        assert data_of(client.get("/api/users/me"))["username"] == "bob.jones"


def test_dev_mode_still_needs_some_identity(dev_client: httpx.Client) -> None:
    error_of(dev_client.get("/api/mappings"), 401, "UNAUTHORIZED")


@pytest.mark.parametrize("username", ["has space", "-leading-dash", "a/b", "x" * 256])
def test_dev_mode_rejects_invalid_usernames(dev_client: httpx.Client, username: str) -> None:
    response = dev_client.get("/api/users/me", headers={"X-Username": username})

    error_of(response, 401, "UNAUTHORIZED")


# -- ownership ---------------------------------------------------------------------------------

DENIED = {"owner_username": "alice.smith", "your_role": "analyst"}


@pytest.fixture
def alices(alice: httpx.Client) -> dict[str, Any]:
    """A fresh mapping owned by alice.smith."""
    return create(alice, seed_body(token()))


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PUT", "", {"name": "Taken over"}),
        ("PUT", "", seed_update()),
        ("DELETE", "", None),
        ("PUT", "/lifecycle", {"ttl": "P90D", "inactivity_timeout": "P30D"}),
    ],
    ids=["rename", "new-version", "delete", "lifecycle"],
)
def test_an_analyst_cannot_change_another_analysts_mapping(
    alice: httpx.Client,
    bob: httpx.Client,
    alices: dict[str, Any],
    method: str,
    suffix: str,
    body: dict[str, Any] | None,
) -> None:
    path = f"/api/mappings/{alices['id']}"

    response = bob.request(method, path + suffix, json=body)

    error = error_of(response, 403, "PERMISSION_DENIED")
    assert error["details"] == DENIED
    assert data_of(alice.get(path)) == alices


def test_permission_is_checked_before_the_body(bob: httpx.Client, alices: dict[str, Any]) -> None:
    # An outsider learns nothing about what would have been wrong with the update.
    response = bob.put(f"/api/mappings/{alices['id']}", json={"name": 42})

    assert error_of(response, 403, "PERMISSION_DENIED")["details"] == DENIED


@pytest.mark.parametrize("privileged", ["admin.user", "ops.user"])
def test_admin_and_ops_may_change_any_mapping(
    platform: PlatformProcess, alice: httpx.Client, alices: dict[str, Any], privileged: str
) -> None:
    path = f"/api/mappings/{alices['id']}"
    display_name = {"admin.user": "Admin User", "ops.user": "Ops User"}[privileged]

    with platform.http(privileged) as client:
        updated = data_of(client.put(path, json=seed_update()))
        assert updated["owner_username"] == "alice.smith"
        assert updated["current_version"] == 2
        assert updated["version"]["created_by"] == privileged
        assert updated["version"]["created_by_name"] == display_name

        body = {"ttl": "P7D", "inactivity_timeout": "P1D"}
        lifecycle = data_of(client.put(f"{path}/lifecycle", json=body))
        assert (lifecycle["ttl"], lifecycle["inactivity_timeout"]) == ("P7D", "P1D")

        assert data_of(client.delete(path)) == {"deleted": True}

    error_of(alice.get(path), 404, "RESOURCE_NOT_FOUND")


def test_the_owner_may_change_their_own_mapping(
    alice: httpx.Client, alices: dict[str, Any]
) -> None:
    path = f"/api/mappings/{alices['id']}"

    assert data_of(alice.put(path, json={"name": "Mine"}))["name"] == "Mine"
    lifecycle = {"ttl": "P1D", "inactivity_timeout": "PT8H"}
    assert data_of(alice.put(f"{path}/lifecycle", json=lifecycle))["ttl"] == "P1D"
    assert data_of(alice.delete(path)) == {"deleted": True}


@pytest.mark.parametrize("reader", ["bob.jones", "admin.user", "ops.user"])
def test_everyone_may_read_every_mapping(
    platform: PlatformProcess, alice: httpx.Client, reader: str
) -> None:
    created = create(alice, seed_body(token()))
    assert alice.put(f"/api/mappings/{created['id']}", json=seed_update()).status_code == 200
    path = f"/api/mappings/{created['id']}"

    with platform.http(reader) as client:
        assert data_of(client.get(path))["owner_username"] == "alice.smith"
        for suffix in ("/versions", "/snapshots", "/instances"):
            page_of(client.get(path + suffix))
        for suffix in ("/versions/1", "/versions/1/diff/2", "/tree"):
            data_of(client.get(path + suffix))
        listed, _ = page_of(client.get("/api/mappings", params={"search": created["description"]}))
        assert [m["id"] for m in listed] == [created["id"]]


def test_anyone_may_copy_and_owns_the_copy(bob: httpx.Client, alices: dict[str, Any]) -> None:
    copied = data_of(bob.post(f"/api/mappings/{alices['id']}/copy"), 201)

    assert copied["owner_username"] == "bob.jones"
    # The copy is bob's to change.
    assert data_of(bob.put(f"/api/mappings/{copied['id']}", json={"name": "Bobs copy"}))


# -- user administration -----------------------------------------------------------------------


def test_analysts_cannot_list_users(alice: httpx.Client) -> None:
    error = error_of(alice.get("/api/users"), 403, "INSUFFICIENT_ROLE")

    assert error["details"] == {"required_role": "admin", "your_role": "analyst"}


@pytest.mark.parametrize("privileged", ["admin.user", "ops.user"])
def test_admin_and_ops_can_list_users(platform: PlatformProcess, privileged: str) -> None:
    with platform.http(privileged) as client:
        users, meta = page_of(client.get("/api/users"))

    by_name = {user["username"]: user for user in users}
    assert meta["total"] == len(users)
    assert {"alice.smith", "bob.jones", "admin.user", "ops.user"} <= set(by_name)
    assert by_name["ops.user"]["role"] == "ops"
    assert all("api_key" not in user and "key_hash" not in user for user in users)


def test_analysts_read_only_their_own_user_record(alice: httpx.Client) -> None:
    assert data_of(alice.get("/api/users/alice.smith"))["username"] == "alice.smith"
    error = error_of(alice.get("/api/users/bob.jones"), 403, "INSUFFICIENT_ROLE")
    assert error["details"]["required_role"] == "admin"


def test_admin_reads_any_user_record(admin: httpx.Client) -> None:
    assert data_of(admin.get("/api/users/bob.jones"))["display_name"] == "Bob Jones"
    error = error_of(admin.get(f"/api/users/nobody.{token()}"), 404, "RESOURCE_NOT_FOUND")
    assert error["message"] == "User not found"


def test_analysts_cannot_create_users(alice: httpx.Client, admin: httpx.Client) -> None:
    username = f"made.by.analyst.{token()}"

    error = error_of(
        alice.post("/api/users", json={"username": username}), 403, "INSUFFICIENT_ROLE"
    )

    assert error["details"] == {"required_role": "admin", "your_role": "analyst"}
    error_of(admin.get(f"/api/users/{username}"), 404, "RESOURCE_NOT_FOUND")


def test_an_admin_cannot_create_an_ops_user(admin: httpx.Client) -> None:
    username = f"would.be.ops.{token()}"

    response = admin.post("/api/users", json={"username": username, "role": "ops"})

    error = error_of(response, 403, "INSUFFICIENT_ROLE")
    assert error["details"] == {"required_role": "ops", "your_role": "admin"}
    error_of(admin.get(f"/api/users/{username}"), 404, "RESOURCE_NOT_FOUND")


def test_an_admin_creates_an_analyst_whose_key_works(
    platform: PlatformProcess, admin: httpx.Client
) -> None:
    username = f"new.analyst.{token()}"
    body = {"username": username, "display_name": "New Analyst"}

    created = data_of(admin.post("/api/users", json=body), 201)

    assert (created["username"], created["role"]) == (username, "analyst")
    assert created["api_key"].startswith("gok_")
    headers = {"Authorization": f"Bearer {created['api_key']}"}
    with httpx.Client(base_url=platform.url, headers=headers) as client:
        me = data_of(client.get("/api/users/me"))
    assert (me["username"], me["display_name"]) == (username, "New Analyst")


def test_ops_may_create_admins_and_ops(ops: httpx.Client) -> None:
    for role in ("admin", "ops"):
        created = data_of(
            ops.post("/api/users", json={"username": f"{role}.{token()}", "role": role}), 201
        )
        assert created["role"] == role


def test_creating_an_existing_user_is_409(admin: httpx.Client) -> None:
    response = admin.post("/api/users", json={"username": "bob.jones"})

    assert error_of(response, 409, "ALREADY_EXISTS")["details"] == {"id": "bob.jones"}


def test_bootstrap_is_closed_once_users_exist(anonymous: httpx.Client) -> None:
    response = anonymous.post("/api/users/bootstrap", json={"username": f"root.{token()}"})

    error_of(response, 409, "ALREADY_EXISTS")


@pytest.mark.parametrize("path", ["/health", "/ready"])
def test_health_endpoints_need_no_credentials(anonymous: httpx.Client, path: str) -> None:
    assert data_of(anonymous.get(path))["status"] in {"ok", "ready"}
