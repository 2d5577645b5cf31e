"""The real wrapper, run as ``python -m graph_olap_platform.wrapper`` in its own process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa

from tests.support.net import free_port

ARROW_STREAM = "application/vnd.apache.arrow.stream"


@dataclass
class WrapperProcess:
    engine: str
    data_dir: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "wrapper.log"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPH_OLAP_")}
        env.update(
            {
                "GRAPH_OLAP_WRAPPER_ENGINE": self.engine,
                "GRAPH_OLAP_WRAPPER_PORT": str(self.port),
                "GRAPH_OLAP_WRAPPER_DATA_DIR": str(self.data_dir),
                "GRAPH_OLAP_WRAPPER_THREADS": "2",
                **self.env_extra,
            }
        )
        return env

    def start(self, *, wait: bool = True) -> WrapperProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "graph_olap_platform.wrapper"],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 120) -> float:
        """Wait for ``/ready``; returns the seconds waited."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"wrapper exited early:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/ready", timeout=2).status_code == 200:
                    return time.monotonic() - started
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"wrapper did not become ready:\n{self.log_tail()}")

    def wait_exit(self, timeout: float = 60) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def log_tail(self, chars: int = 6000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def stop(self) -> int | None:
        if self.process is None:
            return None
        code = self.process.poll()
        if code is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                code = self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                code = self.process.wait()
        self.process = None
        return code

    # -- HTTP helpers -----------------------------------------------------------------------
    def http(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120, **kwargs)

    def query(self, cypher: str, parameters: dict[str, Any] | None = None, **body: Any) -> Any:
        with self.http() as client:
            response = client.post(
                "/query", json={"query": cypher, "parameters": parameters or {}, **body}
            )
        assert response.status_code == 200, response.text
        return response.json()

    def query_arrow(self, cypher: str, parameters: dict[str, Any] | None = None) -> pa.Table:
        with self.http() as client:
            response = client.post(
                "/query",
                json={"query": cypher, "parameters": parameters or {}},
                headers={"Accept": ARROW_STREAM},
            )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == ARROW_STREAM
        return pa.ipc.open_stream(response.content).read_all()
