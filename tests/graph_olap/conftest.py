"""Fixtures for the SDK tests: a clean environment and an HTTPClient over a MockTransport."""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from graph_olap.config import Config
from graph_olap.http import HTTPClient
from tests.graph_olap.helpers import API_URL, Handler


@pytest.fixture(autouse=True)
def _clean_graph_olap_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # The developer's own GRAPH_OLAP_* settings must not leak into the tests.
    for name in list(os.environ):
        if name.startswith("GRAPH_OLAP_"):
            monkeypatch.delenv(name)


@dataclass
class Harness:
    """An HTTPClient whose transport is a scripted handler; records requests and sleeps."""

    http: HTTPClient
    requests: list[httpx.Request] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)


MakeHTTP = Callable[..., Harness]


@pytest.fixture
def make_http() -> Iterator[MakeHTTP]:
    """``make_http(handler, max_retries=3, rng=None, **config_fields)`` → Harness."""
    made: list[HTTPClient] = []

    def factory(
        handler: Handler,
        *,
        max_retries: int = 3,
        rng: random.Random | None = None,
        **config: Any,
    ) -> Harness:
        requests: list[httpx.Request] = []
        sleeps: list[float] = []

        def recording(request: httpx.Request) -> httpx.Response:
            requests.append(request)
            return handler(request)

        http = HTTPClient(
            Config(api_url=API_URL, max_retries=max_retries, **config),
            transport=httpx.MockTransport(recording),
            sleep=sleeps.append,
            rng=rng or random.Random(1234),
        )
        made.append(http)
        return Harness(http=http, requests=requests, sleeps=sleeps)

    yield factory
    for http in made:
        http.close()
