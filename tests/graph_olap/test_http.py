"""HTTPClient: retries, backoff, Retry-After, maintenance, headers and error mapping.

The transport is ``httpx.MockTransport``; ``sleep`` is a list's ``append`` so waits are recorded
instead of slept.
"""

from __future__ import annotations

import json
import logging
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from graph_olap.exceptions import (
    APIConnectionError,
    AuthenticationError,
    GraphOLAPError,
    GraphOLAPTimeoutError,
    NotFoundError,
    RateLimitError,
    ServerError,
    ServiceUnavailableError,
    ValidationError,
)
from graph_olap.http import USER_AGENT, HTTPClient
from tests.graph_olap.conftest import MakeHTTP
from tests.graph_olap.helpers import API_URL, MaxRandom, envelope, error_body, scripted

OK = httpx.Response(200, json=envelope({"id": 1}))


def status(code: int, body: object | None = None, **headers: str) -> httpx.Response:
    return httpx.Response(code, json=body if body is not None else {}, headers=headers)


# -- connection failures ----------------------------------------------------------------------


def test_connect_error_backs_off_then_succeeds(make_http: MakeHTTP) -> None:
    h = make_http(scripted(httpx.ConnectError("refused"), httpx.ConnectError("refused"), OK))

    assert h.http.get("/api/mappings/1") == envelope({"id": 1})
    assert len(h.requests) == 3
    assert len(h.sleeps) == 2
    # Full jitter: each wait lies in [0, base * 2**attempt].
    assert 0 <= h.sleeps[0] <= 0.5
    assert 0 <= h.sleeps[1] <= 1.0


def test_backoff_is_exponential_and_capped(make_http: MakeHTTP) -> None:
    h = make_http(scripted(httpx.ConnectError("refused")), max_retries=6, rng=MaxRandom())

    with pytest.raises(APIConnectionError):
        h.http.get("/health")

    assert h.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_backoff_uses_jitter(make_http: MakeHTTP) -> None:
    h = make_http(scripted(httpx.ConnectError("refused")), max_retries=5, rng=random.Random(7))

    with pytest.raises(APIConnectionError):
        h.http.get("/health")

    ceilings = [0.5, 1.0, 2.0, 4.0, 8.0]
    assert all(0 <= wait <= top for wait, top in zip(h.sleeps, ceilings, strict=True))
    assert h.sleeps != ceilings


def test_connection_failure_after_retries_names_url_and_hint(make_http: MakeHTTP) -> None:
    h = make_http(scripted(httpx.ConnectError("refused")), max_retries=2)

    with pytest.raises(APIConnectionError) as info:
        h.http.get("/api/mappings")

    assert len(h.requests) == 3
    assert f"{API_URL}/api/mappings" in str(info.value)
    assert "graph-olap serve --dev" in str(info.value)


def test_post_is_retried_after_connect_error(make_http: MakeHTTP) -> None:
    h = make_http(scripted(httpx.ConnectError("refused"), httpx.Response(201, json=envelope({}))))

    h.http.post("/api/mappings", json={"name": "m"})

    assert len(h.requests) == 2
    assert [json.loads(r.content) for r in h.requests] == [{"name": "m"}, {"name": "m"}]


def test_post_is_retried_after_connect_timeout(make_http: MakeHTTP) -> None:
    h = make_http(scripted(httpx.ConnectTimeout("slow dns"), OK))

    h.http.post("/api/mappings", json={})

    assert len(h.requests) == 2


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_unsafe_method_not_resent_after_read_timeout(make_http: MakeHTTP, method: str) -> None:
    h = make_http(scripted(httpx.ReadTimeout("no answer"), OK))

    with pytest.raises(GraphOLAPTimeoutError) as info:
        h.http.request(method, "/api/mappings", json={"name": "m"})

    assert len(h.requests) == 1
    assert h.sleeps == []
    assert "may have processed" in str(info.value)


def test_post_not_resent_after_remote_protocol_error(make_http: MakeHTTP) -> None:
    h = make_http(scripted(httpx.RemoteProtocolError("peer closed"), OK))

    with pytest.raises(APIConnectionError) as info:
        h.http.post("/api/mappings", json={})

    assert len(h.requests) == 1
    assert "may have processed" in str(info.value)


def test_get_is_retried_after_read_timeout(make_http: MakeHTTP) -> None:
    h = make_http(scripted(httpx.ReadTimeout("no answer"), OK))

    assert h.http.get("/api/mappings/1")["data"] == {"id": 1}
    assert len(h.requests) == 2


def test_get_read_timeout_exhausted_raises_timeout(make_http: MakeHTTP) -> None:
    h = make_http(scripted(httpx.ReadTimeout("no answer")), max_retries=1, timeout=5)

    with pytest.raises(GraphOLAPTimeoutError) as info:
        h.http.get("/api/mappings/1")

    assert len(h.requests) == 2
    assert "timeout=" in str(info.value)


# -- retryable statuses ------------------------------------------------------------------------


@pytest.mark.parametrize("code", [502, 503, 504])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_gateway_errors_retried_for_idempotent_methods(
    make_http: MakeHTTP, code: int, method: str
) -> None:
    h = make_http(scripted(status(code), OK))

    assert h.http.request(method, "/api/mappings/1")["data"] == {"id": 1}
    assert len(h.requests) == 2
    assert len(h.sleeps) == 1


@pytest.mark.parametrize("code", [502, 504])
def test_post_not_retried_on_502_504(make_http: MakeHTTP, code: int) -> None:
    h = make_http(scripted(status(code), OK))

    with pytest.raises(ServerError) as info:
        h.http.post("/api/mappings", json={})

    assert info.value.status_code == code
    assert len(h.requests) == 1


def test_post_retried_on_503(make_http: MakeHTTP) -> None:
    h = make_http(scripted(status(503, error_body("SERVICE_UNAVAILABLE", "db down")), OK))

    h.http.post("/api/mappings", json={})

    assert len(h.requests) == 2


def test_maintenance_503_is_not_retried(make_http: MakeHTTP) -> None:
    body = error_body("SERVICE_UNAVAILABLE", "Upgrading until 14:00 UTC", {"maintenance": True})
    h = make_http(scripted(status(503, body), OK))

    with pytest.raises(ServiceUnavailableError) as info:
        h.http.get("/api/mappings")

    assert len(h.requests) == 1
    assert h.sleeps == []
    assert "Upgrading until 14:00 UTC" in str(info.value)


def test_max_retries_exhausted_raises_last_error(make_http: MakeHTTP) -> None:
    h = make_http(scripted(status(503, error_body("SERVICE_UNAVAILABLE", "db down"))))

    with pytest.raises(ServiceUnavailableError) as info:
        h.http.get("/api/mappings")

    assert len(h.requests) == 4  # 1 + max_retries
    assert len(h.sleeps) == 3
    assert info.value.code == "SERVICE_UNAVAILABLE"


def test_zero_retries_means_one_attempt(make_http: MakeHTTP) -> None:
    h = make_http(scripted(status(502)), max_retries=0)

    with pytest.raises(ServerError):
        h.http.get("/api/mappings")

    assert len(h.requests) == 1
    assert h.sleeps == []


@pytest.mark.parametrize("code", [400, 401, 404, 409, 500])
def test_client_and_internal_errors_are_not_retried(make_http: MakeHTTP, code: int) -> None:
    h = make_http(scripted(status(code, error_body("X", "no")), OK))

    with pytest.raises(GraphOLAPError):
        h.http.get("/api/mappings")

    assert len(h.requests) == 1


# -- 429 and Retry-After -----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH"])
def test_429_waits_retry_after_seconds(make_http: MakeHTTP, method: str) -> None:
    limited = status(429, error_body("RATE_LIMIT_EXCEEDED", "slow down"), **{"Retry-After": "7"})
    h = make_http(scripted(limited, OK))

    h.http.request(method, "/api/mappings", json={} if method != "GET" else None)

    assert h.sleeps == [7.0]
    assert len(h.requests) == 2


def test_429_retry_after_http_date(make_http: MakeHTTP) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    h = make_http(scripted(status(429, **{"Retry-After": when}), OK))

    h.http.get("/api/mappings")

    assert len(h.sleeps) == 1
    assert 25 <= h.sleeps[0] <= 30


def test_retry_after_is_capped_at_60_seconds(make_http: MakeHTTP) -> None:
    h = make_http(scripted(status(429, **{"Retry-After": "3600"}), OK))

    h.http.get("/api/mappings")

    assert h.sleeps == [60.0]


def test_429_without_header_uses_body_retry_after(make_http: MakeHTTP) -> None:
    body = error_body("RATE_LIMIT_EXCEEDED", "slow down", {"retry_after_seconds": 3})
    h = make_http(scripted(status(429, body), OK))

    h.http.get("/api/mappings")

    assert h.sleeps == [3.0]


def test_429_exhausted_raises_rate_limit_with_retry_after(make_http: MakeHTTP) -> None:
    h = make_http(
        scripted(status(429, error_body("RATE_LIMIT_EXCEEDED", "slow"), **{"Retry-After": "5"})),
        max_retries=2,
    )

    with pytest.raises(RateLimitError) as info:
        h.http.get("/api/mappings")

    assert len(h.requests) == 3
    assert info.value.retry_after == 5.0


# -- headers -----------------------------------------------------------------------------------

AUTH_HEADERS = ("x-internal-api-key", "authorization", "x-username")


@pytest.mark.parametrize(
    ("credentials", "expected"),
    [
        (
            {"internal_api_key": "ik", "api_key": "ak", "username": "alice"},
            ("x-internal-api-key", "ik"),
        ),
        ({"api_key": "ak", "username": "alice"}, ("authorization", "Bearer ak")),
        ({"username": "alice"}, ("x-username", "alice")),
        ({}, None),
    ],
)
def test_auth_header_priority(
    make_http: MakeHTTP, credentials: dict[str, str], expected: tuple[str, str] | None
) -> None:
    h = make_http(scripted(OK), **credentials)

    h.http.get("/api/mappings")

    sent = {name: h.requests[0].headers.get(name) for name in AUTH_HEADERS}
    wanted: dict[str, str | None] = {name: None for name in AUTH_HEADERS}
    if expected:
        wanted[expected[0]] = expected[1]
    assert sent == wanted


def test_user_agent_and_accept(make_http: MakeHTTP) -> None:
    h = make_http(scripted(OK))

    h.http.get("/api/mappings")

    assert h.requests[0].headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("graph-olap-python/")
    assert h.requests[0].headers["accept"] == "application/json"


def test_same_request_id_on_every_attempt(make_http: MakeHTTP) -> None:
    h = make_http(scripted(status(503), status(503), OK))

    h.http.get("/api/mappings")

    ids = {r.headers["x-request-id"] for r in h.requests}
    assert len(h.requests) == 3
    assert len(ids) == 1


def test_none_params_are_dropped(make_http: MakeHTTP) -> None:
    h = make_http(scripted(OK))

    h.http.get("/api/mappings", params={"owner": None, "limit": 10, "include": True})

    assert dict(h.requests[0].url.params) == {"limit": "10", "include": "true"}


def test_retries_are_logged(make_http: MakeHTTP, caplog: pytest.LogCaptureFixture) -> None:
    h = make_http(scripted(status(502), OK))

    with caplog.at_level(logging.WARNING, logger="graph_olap.http"):
        h.http.get("/api/mappings")

    assert any("retry 1 of 3" in r.getMessage() for r in caplog.records)


# -- bodies and errors -------------------------------------------------------------------------


def test_204_returns_empty_dict(make_http: MakeHTTP) -> None:
    h = make_http(scripted(httpx.Response(204)))

    assert h.http.delete("/api/instances/1") == {}


def test_get_text_returns_raw_text(make_http: MakeHTTP) -> None:
    h = make_http(scripted(httpx.Response(200, text="# HELP up 1\nup 1\n")))

    assert h.http.get_text("/metrics") == "# HELP up 1\nup 1\n"


def test_non_json_success_raises_server_error(make_http: MakeHTTP) -> None:
    h = make_http(scripted(httpx.Response(200, text="<html>proxy login</html>")))

    with pytest.raises(ServerError) as info:
        h.http.get("/api/mappings")

    assert "<html>proxy login</html>" in str(info.value)


def test_non_json_error_quotes_first_200_chars(make_http: MakeHTTP) -> None:
    h = make_http(scripted(httpx.Response(500, text="E" * 500)), max_retries=0)

    with pytest.raises(ServerError) as info:
        h.http.get("/api/mappings")

    assert "E" * 200 in str(info.value)
    assert "E" * 201 not in str(info.value)
    assert info.value.status_code == 500


def test_error_envelope_maps_to_typed_exception(make_http: MakeHTTP) -> None:
    body = error_body("RESOURCE_NOT_FOUND", "Mapping 9 not found", {"id": 9})
    h = make_http(scripted(status(404, body)))

    with pytest.raises(NotFoundError) as info:
        h.http.get("/api/mappings/9")

    assert info.value.message == "Mapping 9 not found"
    assert info.value.details == {"id": 9}
    assert info.value.request_id == "req-err"
    assert info.value.status_code == 404


def test_request_id_falls_back_to_response_header(make_http: MakeHTTP) -> None:
    body = {"error": {"code": "VALIDATION_FAILED", "message": "bad", "details": {}}}
    h = make_http(scripted(status(400, body, **{"X-Request-ID": "hdr-1"})))

    with pytest.raises(ValidationError) as info:
        h.http.get("/api/mappings")

    assert info.value.request_id == "hdr-1"


def test_accept_status_returns_body_without_retry(make_http: MakeHTTP) -> None:
    h = make_http(scripted(status(503, envelope({"status": "unavailable"})), OK))

    body = h.http.get("/ready", accept_status=(503,))

    assert body["data"] == {"status": "unavailable"}
    assert len(h.requests) == 1


def test_unauthorized_is_actionable(make_http: MakeHTTP) -> None:
    h = make_http(scripted(status(401, error_body("UNAUTHORIZED", "Missing credentials"))))

    with pytest.raises(AuthenticationError) as info:
        h.http.get("/api/mappings")

    assert "GRAPH_OLAP_API_KEY" in str(info.value)


def test_per_request_timeout_overrides_default(make_http: MakeHTTP) -> None:
    h = make_http(scripted(OK), timeout=30)

    h.http.get("/api/mappings", timeout=2.5)
    h.http.get("/api/mappings")

    assert h.requests[0].extensions["timeout"]["read"] == 2.5
    assert h.requests[1].extensions["timeout"]["read"] == 30


def test_context_manager_closes_client(make_http: MakeHTTP) -> None:
    h = make_http(scripted(OK))

    with h.http as http:
        assert isinstance(http, HTTPClient)
        http.get("/health")

    with pytest.raises(RuntimeError, match="closed"):
        h.http.get("/health")


# -- raw responses (Arrow answers of instances) ------------------------------------------------


def test_request_raw_returns_the_response_with_extra_headers(make_http: MakeHTTP) -> None:
    h = make_http(
        scripted(httpx.Response(200, content=b"\x00arrow", headers={"content-type": "x/y"}))
    )

    response = h.http.request_raw(
        "POST", "/query", json={"query": "q"}, headers={"Accept": "x/y"}, timeout=70
    )

    assert response.content == b"\x00arrow"
    sent = h.requests[0]
    assert sent.headers["accept"] == "x/y"
    assert "x-request-id" in sent.headers
    assert json.loads(sent.content) == {"query": "q"}
    assert sent.extensions["timeout"]["read"] == 70


def test_request_raw_maps_errors_and_keeps_post_semantics(make_http: MakeHTTP) -> None:
    h = make_http(scripted(status(502, error_body("INTERNAL_ERROR", "bad gateway"))))

    with pytest.raises(ServerError):
        h.http.request_raw("POST", "/query", json={})

    assert len(h.requests) == 1  # a POST is not re-sent on 502


def test_unreachable_hint_and_service_name_can_be_set() -> None:
    from graph_olap.config import Config

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    http = HTTPClient(
        Config(api_url=API_URL, max_retries=0),
        transport=httpx.MockTransport(refuse),
        unreachable_hint="is instance 3 still running?",
        service_name="Graph OLAP instance 3",
    )
    with pytest.raises(APIConnectionError) as info:
        http.get("/schema")

    assert str(info.value).startswith(f"Could not connect to Graph OLAP instance 3 at {API_URL}")
    assert str(info.value).endswith("is instance 3 still running?")
    assert "graph-olap serve" not in str(info.value)
