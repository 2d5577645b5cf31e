"""Liveness and readiness of the control plane (unauthenticated endpoints)."""

from __future__ import annotations

from typing import Any

from graph_olap.exceptions import error_from_response
from graph_olap.models import HealthStatus
from graph_olap.resources._base import Resource

__all__ = ["HealthResource"]


class HealthResource(Resource):
    """``client.health``: is the platform up, and can it reach its database?"""

    def check(self) -> HealthStatus:
        """Liveness: ``status`` is ``"ok"`` and ``version`` the server's version."""
        return HealthStatus.from_api_response(_payload(self._http.get("/health")))

    def ready(self) -> HealthStatus:
        """Readiness: ``status`` is ``"ready"`` or ``"unavailable"``, ``database`` its state.

        A not-ready platform answers 503 with the same body; that is a result here, not an
        error, and it is not retried.
        """
        body = self._http.get("/ready", accept_status=(503,))
        error = body.get("error")
        if "data" not in body and isinstance(error, dict):
            details = error.get("details") or {}
            if "status" in details:
                # The platform's own not-ready answer: its details are the readiness report.
                return HealthStatus.from_api_response(details)
            # Any other 503 envelope (maintenance, a proxy) is an error.
            raise error_from_response(503, body)
        return HealthStatus.from_api_response(_payload(body))


def _payload(body: dict[str, Any]) -> dict[str, Any]:
    # Tolerate an unwrapped body from an older or proxied server.
    data = body.get("data", body)
    return data if isinstance(data, dict) else body
