"""error_from_response: every code maps to its class; messages, details and ids survive."""

from __future__ import annotations

import builtins
import pickle
from typing import Any

import pytest

import graph_olap
from graph_olap import exceptions as exc
from graph_olap.exceptions import error_from_response
from tests.graph_olap.helpers import error_body

CODES: list[tuple[str, int, type[exc.GraphOLAPError]]] = [
    ("UNAUTHORIZED", 401, exc.AuthenticationError),
    ("USER_NOT_PROVISIONED", 401, exc.AuthenticationError),
    ("USER_DISABLED", 401, exc.AuthenticationError),
    ("PERMISSION_DENIED", 403, exc.PermissionDeniedError),
    ("INSUFFICIENT_ROLE", 403, exc.ForbiddenError),
    ("RESOURCE_NOT_FOUND", 404, exc.NotFoundError),
    ("MAPPING_VERSION_NOT_FOUND", 404, exc.MappingVersionNotFoundError),
    ("EXECUTION_NOT_FOUND", 404, exc.ExecutionNotFoundError),
    ("VALIDATION_FAILED", 400, exc.ValidationError),
    ("VALIDATION_ERROR", 422, exc.ValidationError),
    ("CONCURRENCY_LIMIT_EXCEEDED", 409, exc.ConcurrencyLimitError),
    ("RESOURCE_HAS_DEPENDENCIES", 409, exc.DependencyError),
    ("INVALID_STATE", 409, exc.InvalidStateError),
    ("SNAPSHOT_NOT_READY", 409, exc.SnapshotNotReadyError),
    ("RESOURCE_LOCKED", 409, exc.ResourceLockedError),
    ("ALREADY_EXISTS", 409, exc.AlreadyExistsError),
    ("RATE_LIMIT_EXCEEDED", 429, exc.RateLimitError),
    ("QUERY_TIMEOUT", 408, exc.QueryTimeoutError),
    ("QUERY_SYNTAX_ERROR", 400, exc.QueryError),
    ("QUERY_ERROR", 400, exc.QueryError),
    ("RYUGRAPH_ERROR", 400, exc.RyugraphError),
    ("FALKORDB_ERROR", 500, exc.FalkorDBError),
    ("ALGORITHM_NOT_FOUND", 404, exc.AlgorithmNotFoundError),
    ("ALGORITHM_FAILED", 500, exc.AlgorithmFailedError),
    ("ALGORITHM_TIMEOUT", 500, exc.AlgorithmTimeoutError),
    ("STARBURST_ERROR", 500, exc.StarburstError),
    ("INTERNAL_ERROR", 500, exc.ServerError),
    ("SERVICE_UNAVAILABLE", 503, exc.ServiceUnavailableError),
    ("DATABASE_NOT_INITIALIZED", 503, exc.ServiceUnavailableError),
    ("DATABASE_ERROR", 500, exc.ServerError),
]


@pytest.mark.parametrize(("code", "status", "cls"), CODES)
def test_every_code_maps_to_its_class(
    code: str, status: int, cls: type[exc.GraphOLAPError]
) -> None:
    details = {"id": 7, "extra": "x"}
    body = error_body(code, f"server says {code}", details)

    error = error_from_response(status, body, "req-arg")

    assert type(error) is cls
    assert error.code == code
    assert error.details == details
    assert error.status_code == status
    assert error.request_id == "req-err"  # meta.request_id wins over the header value
    assert error.message.startswith(f"server says {code}")


def test_request_id_argument_used_when_meta_lacks_it() -> None:
    body = {"error": {"code": "RESOURCE_NOT_FOUND", "message": "gone", "details": {"id": 1}}}

    error = error_from_response(404, body, "from-header")

    assert error.request_id == "from-header"


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        (exc.ForbiddenError, exc.PermissionDeniedError),
        (exc.MappingVersionNotFoundError, exc.NotFoundError),
        (exc.ExecutionNotFoundError, exc.NotFoundError),
        (exc.ResourceLockedError, exc.ConflictError),
        (exc.ConcurrencyLimitError, exc.ConflictError),
        (exc.DependencyError, exc.ConflictError),
        (exc.InvalidStateError, exc.ConflictError),
        (exc.SnapshotNotReadyError, exc.ConflictError),
        (exc.AlreadyExistsError, exc.ConflictError),
        (exc.QueryTimeoutError, exc.GraphOLAPTimeoutError),
        (exc.AlgorithmTimeoutError, exc.GraphOLAPTimeoutError),
        (exc.ServiceUnavailableError, exc.ServerError),
        (exc.APIConnectionError, exc.GraphOLAPError),
        (exc.RateLimitError, exc.GraphOLAPError),
        (exc.GCSError, exc.GraphOLAPError),
        (exc.SnapshotFailedError, exc.GraphOLAPError),
        (exc.InstanceFailedError, exc.GraphOLAPError),
        (exc.AlgorithmFailedError, exc.GraphOLAPError),
        (exc.AlgorithmCancelledError, exc.AlgorithmFailedError),
        (exc.QueryError, exc.GraphOLAPError),
        (exc.RyugraphError, exc.QueryError),
        (exc.FalkorDBError, exc.QueryError),
    ],
)
def test_hierarchy(child: type[Exception], parent: type[Exception]) -> None:
    assert issubclass(child, parent)


def test_timeout_alias_does_not_replace_builtin() -> None:
    from graph_olap.exceptions import TimeoutError as SdkTimeoutError

    assert SdkTimeoutError is exc.GraphOLAPTimeoutError
    assert graph_olap.TimeoutError is exc.GraphOLAPTimeoutError
    assert "TimeoutError" not in exc.__all__
    assert "TimeoutError" not in graph_olap.__all__
    assert not issubclass(builtins.TimeoutError, exc.GraphOLAPError)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, exc.ValidationError),
        (401, exc.AuthenticationError),
        (403, exc.PermissionDeniedError),
        (404, exc.NotFoundError),
        (408, exc.GraphOLAPTimeoutError),
        (409, exc.ConflictError),
        (422, exc.ValidationError),
        (429, exc.RateLimitError),
        (500, exc.ServerError),
        (502, exc.ServerError),
        (503, exc.ServiceUnavailableError),
    ],
)
def test_unknown_code_falls_back_to_status(status: int, cls: type[exc.GraphOLAPError]) -> None:
    error = error_from_response(status, error_body("SOMETHING_NEW", "new failure"), None)

    assert type(error) is cls
    assert error.code == "SOMETHING_NEW"
    assert "new failure" in error.message


def test_unknown_code_and_status_keeps_code_in_message() -> None:
    error = error_from_response(418, error_body("TEAPOT", "short and stout"), None)

    assert type(error) is exc.GraphOLAPError
    assert str(error) == "TEAPOT: short and stout"


def test_non_json_body_is_server_error_quoting_200_chars() -> None:
    text = "<html>" + "x" * 500

    error = error_from_response(502, text, "rid")

    assert type(error) is exc.ServerError
    assert text[:200] in str(error)
    assert text[:201] not in str(error)
    assert "502" in str(error)
    assert error.request_id == "rid"


def test_fastapi_detail_body_keeps_the_text() -> None:
    error = error_from_response(422, {"detail": "field required"}, None)

    assert type(error) is exc.ValidationError
    assert "field required" in str(error)


def test_validation_error_lists_every_problem_on_its_own_line() -> None:
    problems = [
        {"field": "node_definitions[0].label", "message": "must match [A-Za-z][A-Za-z0-9_]*"},
        {"field": "edge_definitions[0].from_node", "message": "Referenced node 'X' not found"},
    ]
    body = error_body("VALIDATION_FAILED", "Mapping is invalid", {"errors": problems})

    error = error_from_response(400, body, None)

    assert isinstance(error, exc.ValidationError)
    assert error.errors == problems
    assert str(error).splitlines() == [
        "Mapping is invalid",
        "  - node_definitions[0].label: must match [A-Za-z][A-Za-z0-9_]*",
        "  - edge_definitions[0].from_node: Referenced node 'X' not found",
    ]


def test_validation_error_single_field_reason_form() -> None:
    body = error_body(
        "VALIDATION_FAILED",
        "change_description is required",
        {"field": "change_description", "reason": "required"},
    )

    error = error_from_response(400, body, None)

    assert isinstance(error, exc.ValidationError)
    assert error.errors == [{"field": "change_description", "message": "required"}]
    assert "  - change_description: required" in str(error)


def test_mapping_version_not_found_exposes_latest_version() -> None:
    body = error_body(
        "MAPPING_VERSION_NOT_FOUND",
        "Version 9 of mapping 3 not found",
        {"mapping_id": 3, "version": 9, "latest_version": 4},
    )

    error = error_from_response(404, body, None)

    assert isinstance(error, exc.MappingVersionNotFoundError)
    assert error.latest_version == 4
    assert "latest version is 4" in str(error)


def test_resource_locked_exposes_holder_and_algorithm() -> None:
    body = error_body(
        "RESOURCE_LOCKED", "Instance is locked", {"holder_name": "bob", "algorithm": "pagerank"}
    )

    error = error_from_response(409, body, None)

    assert isinstance(error, exc.ResourceLockedError)
    assert (error.holder_name, error.algorithm) == ("bob", "pagerank")


def test_concurrency_limit_exposes_counts() -> None:
    details = {"limit_type": "per_analyst", "current_count": 5, "max_allowed": 5}
    body = error_body("CONCURRENCY_LIMIT_EXCEEDED", "Too many instances", details)

    error = error_from_response(409, body, None)

    assert isinstance(error, exc.ConcurrencyLimitError)
    assert (error.limit_type, error.current_count, error.max_allowed) == ("per_analyst", 5, 5)
    assert "Terminate an instance" in str(error)


def test_rate_limit_retry_after_from_details_or_header() -> None:
    body = error_body("RATE_LIMIT_EXCEEDED", "Slow down", {"retry_after_seconds": 12})

    from_body = error_from_response(429, body, None)
    from_header = error_from_response(
        429, error_body("RATE_LIMIT_EXCEEDED", "Slow down"), None, retry_after=3.0
    )

    assert isinstance(from_body, exc.RateLimitError)
    assert from_body.retry_after == 12.0
    assert isinstance(from_header, exc.RateLimitError)
    assert from_header.retry_after == 3.0


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("UNAUTHORIZED", "GRAPH_OLAP_API_KEY"),
        ("UNAUTHORIZED", "api_key="),
        ("USER_NOT_PROVISIONED", "ask an admin"),
        ("USER_DISABLED", "re-enable"),
        ("RESOURCE_HAS_DEPENDENCIES", "Delete the dependent"),
    ],
)
def test_messages_say_what_to_do(code: str, expected: str) -> None:
    status = {"RESOURCE_HAS_DEPENDENCIES": 409}.get(code, 401)

    error = error_from_response(status, error_body(code, "Request refused."), None)

    assert expected in str(error)
    assert str(error).startswith("Request refused.")


def test_forbidden_names_required_role() -> None:
    body = error_body("INSUFFICIENT_ROLE", "Role too low", {"required_role": "ops"})

    error = error_from_response(403, body, None)

    assert "'ops' role" in str(error)


def test_internal_error_quotes_request_id() -> None:
    error = error_from_response(500, error_body("INTERNAL_ERROR", "Unexpected failure"), "r-9")

    assert error.request_id == "req-err"
    assert "req-err" in str(error)


def test_repr_and_attributes_default() -> None:
    error = exc.NotFoundError("gone", code="RESOURCE_NOT_FOUND", request_id="r1")

    assert error.details == {}
    assert error.status_code is None
    assert repr(error) == "NotFoundError('gone', code='RESOURCE_NOT_FOUND', request_id='r1')"


def test_exceptions_survive_pickling() -> None:
    # Needed when errors cross process boundaries (multiprocessing, some notebook kernels).
    error: Any = error_from_response(400, error_body("VALIDATION_FAILED", "bad"), None)

    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is exc.ValidationError
    assert copy.message == "bad"


def test_query_error_exposes_engine_message_and_position() -> None:
    details = {
        "engine": "ladybug",
        "message": "Parser exception: bad",
        "position": {"line": 3, "column": 0},
    }
    error: Any = error_from_response(400, error_body("QUERY_SYNTAX_ERROR", "Syntax error", details))

    assert type(error) is exc.QueryError
    assert error.engine == "ladybug"
    assert error.engine_message == "Parser exception: bad"
    assert error.position == {"line": 3, "column": 0}
    assert str(error) == "Syntax error (at line 3, column 0)"
    assert pickle.loads(pickle.dumps(error)).position == {"line": 3, "column": 0}


@pytest.mark.parametrize("position", [None, "1:2", {}, {"line": "x"}])
def test_query_error_without_a_usable_position(position: Any) -> None:
    error: Any = error_from_response(
        400, error_body("QUERY_ERROR", "No such table", {"position": position})
    )

    assert error.position is None
    assert error.engine_message == "No such table"
    assert str(error) == "No such table"


def test_query_timeout_and_loading_messages_say_what_to_do() -> None:
    timeout = error_from_response(408, error_body("QUERY_TIMEOUT", "Query exceeded 60000 ms"))
    loading = error_from_response(503, error_body("DATABASE_NOT_INITIALIZED", "Not loaded"))

    assert "timeout=<seconds>" in str(timeout)
    assert "wait_until_running" in str(loading)


def test_failed_waits_expose_the_servers_fields() -> None:
    instance = exc.InstanceFailedError(
        "Instance 4 failed",
        code="DATA_LOAD_ERROR",
        details={"instance_id": 4, "error_code": "DATA_LOAD_ERROR", "error_message": "boom"},
    )
    snapshot = exc.SnapshotFailedError(
        "Snapshot 9 failed", details={"snapshot_id": 9, "error_message": "bad SQL"}
    )

    assert (instance.instance_id, instance.error_code, instance.error_message) == (
        4,
        "DATA_LOAD_ERROR",
        "boom",
    )
    assert (snapshot.snapshot_id, snapshot.error_message) == (9, "bad SQL")
    assert exc.InstanceFailedError("x", code="OOM_KILLED").error_code == "OOM_KILLED"
    assert pickle.loads(pickle.dumps(instance)).error_code == "DATA_LOAD_ERROR"
