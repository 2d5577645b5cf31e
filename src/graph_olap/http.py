"""The one HTTP layer of the SDK: transport, authentication, retries and error mapping.

Retry policy (attempts = 1 + ``max_retries``), with full-jitter exponential backoff
(base 0.5 s, cap 8 s):

- connect errors and connect/pool timeouts, any method: the request never reached the server;
- 502 / 504 for idempotent methods, and 503 for every method (the server refused the work);
- 429 for every method, waiting ``Retry-After`` (seconds or HTTP date, at most 60 s);
- read timeouts and dropped connections for idempotent methods only. A POST or PATCH is never
  re-sent once it may have reached the server, because it could already have been processed.

A 503 whose envelope says ``details.maintenance == true`` is the platform's maintenance mode and
is raised at once: retrying cannot help.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Self

import httpx

from graph_olap._version import __version__
from graph_olap.config import Config
from graph_olap.exceptions import (
    APIConnectionError,
    GraphOLAPError,
    GraphOLAPTimeoutError,
    ServerError,
    error_from_response,
)

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "IDEMPOTENT_METHODS",
    "RETRY_AFTER_CAP",
    "USER_AGENT",
    "HTTPClient",
]

logger = logging.getLogger(__name__)

USER_AGENT = f"graph-olap-python/{__version__}"
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
RETRY_AFTER_CAP = 60.0

_START_HINT = "is the platform running? start it with `graph-olap serve --dev`"
# Failures before any byte reached the server: always safe to repeat.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures after the request may have been received: only idempotent methods repeat.
_MAYBE_SENT = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.RemoteProtocolError,
    httpx.ReadError,
    httpx.WriteError,
)


class HTTPClient:
    """Sends requests to the control plane and returns parsed envelopes or raises typed errors."""

    def __init__(
        self,
        config: Config,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        unreachable_hint: str = _START_HINT,
        service_name: str = "the Graph OLAP platform",
    ) -> None:
        self._config = config
        self._unreachable_hint = unreachable_hint
        self._service_name = service_name
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._client = httpx.Client(
            base_url=config.api_url,
            headers={
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
                **config.auth_headers(),
            },
            timeout=config.timeout,
            transport=transport,
        )

    @property
    def config(self) -> Config:
        return self._config

    # -- public verbs -------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        timeout: float | None = None,
        accept_status: Collection[int] = (),
    ) -> dict[str, Any]:
        """Send a request and return the JSON body (``{}`` for 204 or an empty body).

        ``accept_status`` lists non-2xx statuses whose body is still the answer (``/ready``
        answers 503 with a normal envelope); they are neither retried nor raised.
        """
        response = self._send(method, path, params, json, timeout, accept_status)
        return self._json_body(response)

    def request_raw(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """Send a request and return the successful response itself (for non-JSON answers).

        Same retries and error mapping as :meth:`request`; ``headers`` are added to this request
        only (e.g. ``Accept: application/vnd.apache.arrow.stream``).
        """
        return self._send(method, path, params, json, timeout, (), headers)

    def get(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
        accept_status: Collection[int] = (),
    ) -> dict[str, Any]:
        return self.request(
            "GET", path, params=params, timeout=timeout, accept_status=accept_status
        )

    def post(
        self,
        path: str,
        json: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        return self.request("POST", path, params=params, json=json, timeout=timeout)

    def put(
        self,
        path: str,
        json: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        return self.request("PUT", path, params=params, json=json, timeout=timeout)

    def patch(
        self,
        path: str,
        json: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        return self.request("PATCH", path, params=params, json=json, timeout=timeout)

    def delete(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        return self.request("DELETE", path, params=params, timeout=timeout)

    def get_text(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> str:
        """GET a non-JSON resource (e.g. ``/metrics``) and return its text."""
        return self._send("GET", path, params, None, timeout, ()).text

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- retry loop ---------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json: Any,
        timeout: float | None,
        accept_status: Collection[int],
        extra_headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        method = method.upper()
        idempotent = method in IDEMPOTENT_METHODS
        url = f"{self._config.api_url}{path}"
        # One id for every attempt, so server logs tie the retries to one logical call.
        headers = {**(extra_headers or {}), "X-Request-ID": str(uuid.uuid4())}
        # Only pass timeout= when overriding, so the client-wide default applies otherwise.
        extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        attempts = self._config.max_retries + 1

        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self._client.request(
                    method,
                    path,
                    params=_clean_params(params),
                    json=json,
                    headers=headers,
                    **extra,
                )
            except _NOT_SENT as exc:
                if last:
                    raise APIConnectionError(
                        f"Could not connect to {self._service_name} at {url} after "
                        f"{attempts} attempt(s) ({type(exc).__name__}: {exc}); "
                        f"{self._unreachable_hint}",
                        request_id=headers["X-Request-ID"],
                    ) from exc
                self._wait(attempt, None, f"{method} {path}: {type(exc).__name__}")
                continue
            except _MAYBE_SENT as exc:
                if not idempotent or last:
                    raise self._maybe_processed_error(method, url, exc, attempts, timeout) from exc
                self._wait(attempt, None, f"{method} {path}: {type(exc).__name__}")
                continue
            except httpx.HTTPError as exc:  # e.g. UnsupportedProtocol: retrying will not help
                raise APIConnectionError(
                    f"Request {method} {url} failed: {type(exc).__name__}: {exc}"
                ) from exc

            status = response.status_code
            if response.is_success or status in accept_status:
                return response
            if not last and _should_retry(idempotent, response):
                self._wait(attempt, _retry_after(response), f"{method} {path}: HTTP {status}")
                continue
            raise self._error(response, headers["X-Request-ID"])

        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _wait(self, attempt: int, retry_after: float | None, reason: str) -> None:
        if retry_after is not None:
            delay = min(max(retry_after, 0.0), RETRY_AFTER_CAP)
        else:
            # Full jitter: spreads clients that failed together so they do not retry together.
            delay = self._rng.uniform(0.0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt))
        logger.warning(
            "%s; retry %d of %d in %.2f s",
            reason,
            attempt + 1,
            self._config.max_retries,
            delay,
        )
        self._sleep(delay)

    def _maybe_processed_error(
        self, method: str, url: str, exc: httpx.HTTPError, attempts: int, timeout: float | None
    ) -> GraphOLAPError:
        if method in IDEMPOTENT_METHODS:
            tried = f" after {attempts} attempt(s)"
            caveat = ""
        else:
            tried = ""
            caveat = (
                f" The server may have processed the {method} anyway, so it was not re-sent; "
                "check the resource's state before trying again."
            )
        if isinstance(exc, httpx.TimeoutException):
            return GraphOLAPTimeoutError(
                f"{method} {url} timed out{tried} (timeout {timeout or self._config.timeout:g} s; "
                f"raise it with timeout=).{caveat}"
            )
        return APIConnectionError(
            f"The connection broke during {method} {url}{tried} "
            f"({type(exc).__name__}: {exc}).{caveat}"
        )

    def _error(self, response: httpx.Response, sent_request_id: str) -> GraphOLAPError:
        request_id = response.headers.get("X-Request-ID") or sent_request_id
        body: Any
        try:
            body = response.json()
        except ValueError:
            body = response.text
        return error_from_response(
            response.status_code, body, request_id, retry_after=_retry_after(response)
        )

    @staticmethod
    def _json_body(response: httpx.Response) -> dict[str, Any]:
        if response.status_code == 204 or not response.content:
            return {}
        try:
            body = response.json()
        except ValueError:
            raise ServerError(
                f"Expected JSON from {response.request.method} {response.request.url} but got "
                f"{response.headers.get('content-type', 'no content type')}: "
                f"{response.text.strip()[:200]!r}",
                status_code=response.status_code,
                request_id=response.headers.get("X-Request-ID"),
            ) from None
        if not isinstance(body, dict):
            raise ServerError(
                f"Expected a JSON object from {response.request.url}, got {type(body).__name__}",
                status_code=response.status_code,
                request_id=response.headers.get("X-Request-ID"),
            )
        return body


def _should_retry(idempotent: bool, response: httpx.Response) -> bool:
    status = response.status_code
    if status == 429:
        return True
    if status == 503:
        return not _is_maintenance(response)
    return status in (502, 504) and idempotent


def _clean_params(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if params is None:
        return None
    return {key: value for key, value in params.items() if value is not None}


def _error_details(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    return details if isinstance(details, dict) else {}


def _is_maintenance(response: httpx.Response) -> bool:
    return _error_details(response).get("maintenance") is True


def _retry_after_from_body(response: httpx.Response) -> float | None:
    value = _error_details(response).get("retry_after_seconds")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return max(float(value), 0.0)
    return None


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asked us to wait: ``Retry-After`` or ``details.retry_after_seconds``."""
    value = response.headers.get("Retry-After")
    if not value:
        return _retry_after_from_body(response)
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)
