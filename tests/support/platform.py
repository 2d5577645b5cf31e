"""The real control plane, run as `graph-olap serve` in its own process on loopback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from graph_olap import GraphOLAPClient
from graph_olap_platform.control_plane.services.users import create_user_with_key
from graph_olap_platform.control_plane.store.db import Store
from graph_olap_platform.settings import Settings
from tests.support.net import free_port

# Test users: username -> (role, display name)
USERS = {
    "alice.smith": ("analyst", "Alice Smith"),
    "bob.jones": ("analyst", "Bob Jones"),
    "admin.user": ("admin", "Admin User"),
    "ops.user": ("ops", "Ops User"),
}


@dataclass
class PlatformProcess:
    """One control-plane process; `kill()` and `start()` simulate crashes and restarts."""

    database_url: str | None = None
    dev: bool = False
    backend: str = "sqlite"
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="graph-olap-")))
    port: int = field(default_factory=free_port)
    keys: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def settings(self) -> Settings:
        return Settings(data_dir=self.data_dir, database_url=self.database_url)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPH_OLAP_")}
        if self.database_url:
            env["GRAPH_OLAP_DATABASE_URL"] = self.database_url
        env["GRAPH_OLAP_PORT"] = str(self.port)  # wrappers call back on this port
        return {**env, **self.extra_env}

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "graph_olap_platform.cli",
            "serve",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
            "--log-level",
            "warning",
        ]
        if self.dev:
            command.append("--dev")
        log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115 - owned by the process
        self.process = subprocess.Popen(
            command, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"platform exited early:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"platform did not become ready:\n{self.log_tail()}")

    def log_tail(self) -> str:
        path = self.data_dir / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, exactly like a crash."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            self.process = None

    def create_users(self) -> None:
        store = Store(self.settings.resolved_database_url)
        try:
            for username, (role, display_name) in USERS.items():
                with store.session(write=True) as session:
                    user = create_user_with_key(
                        session, username, role=role, display_name=display_name
                    )
                self.keys[username] = user["api_key"]
        finally:
            store.dispose()

    def http(self, username: str | None = "alice.smith", **kwargs: object) -> httpx.Client:
        """A raw HTTP client authenticated as ``username`` (None: unauthenticated)."""
        headers = {"Authorization": f"Bearer {self.keys[username]}"} if username else {}
        headers.update(kwargs.pop("headers", None) or {})  # type: ignore[call-overload]
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kwargs)  # type: ignore[arg-type]

    def sdk(self, username: str = "alice.smith") -> GraphOLAPClient:
        return GraphOLAPClient(self.url, api_key=self.keys[username], max_retries=0)
