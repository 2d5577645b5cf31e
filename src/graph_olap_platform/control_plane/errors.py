"""Domain errors raised by services and the error codes of the API.

Services raise ``DomainError`` without knowing about HTTP; the app maps each code to its status
(``STATUS_BY_CODE``) and renders the envelope ``{"error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

from typing import Any

STATUS_BY_CODE: dict[str, int] = {
    "VALIDATION_FAILED": 400,
    "UNAUTHORIZED": 401,
    "USER_NOT_PROVISIONED": 401,
    "USER_DISABLED": 401,
    "PERMISSION_DENIED": 403,
    "INSUFFICIENT_ROLE": 403,
    "RESOURCE_NOT_FOUND": 404,
    "MAPPING_VERSION_NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "RESOURCE_HAS_DEPENDENCIES": 409,
    "ALREADY_EXISTS": 409,
    "INVALID_STATE": 409,
    "CONCURRENCY_LIMIT_EXCEEDED": 409,
    "PAYLOAD_TOO_LARGE": 413,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "RATE_LIMIT_EXCEEDED": 429,
    "INTERNAL_ERROR": 500,
    "SERVICE_UNAVAILABLE": 503,
}


class DomainError(Exception):
    """A failure with an API error code, a human message and machine-readable details."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}

    @property
    def status_code(self) -> int:
        return STATUS_BY_CODE.get(self.code, 500)


def validation_failed(
    errors: list[dict[str, str]], message: str = "Invalid request body"
) -> DomainError:
    return DomainError("VALIDATION_FAILED", message, {"errors": errors})


def not_found(kind: str, resource_id: Any) -> DomainError:
    return DomainError("RESOURCE_NOT_FOUND", f"{kind} not found", {"id": resource_id})


def unauthorized(message: str, code: str = "UNAUTHORIZED") -> DomainError:
    return DomainError(code, message)
