"""Instances as local processes on free loopback ports.

Each wrapper gets ``<data dir>/instances/<id>/`` with its engine files, ``wrapper.log`` and
``wrapper.json`` (pid, port). The pid file survives a control-plane restart, so a restarted
control plane still finds (and can stop) the wrappers it started before.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from graph_olap_platform.launcher.base import Launched, LaunchSpec
from graph_olap_platform.net import free_port

_MARKER = "graph_olap_platform.wrapper"


class LocalLauncher:
    def __init__(self, root: Path, *, grace_seconds: float = 10.0) -> None:
        self.root = root
        self.grace_seconds = grace_seconds
        self._children: dict[int, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()

    def _dir(self, instance_id: int) -> Path:
        return self.root / str(instance_id)

    def start(self, spec: LaunchSpec) -> Launched:
        work = self._dir(spec.instance_id)
        if work.exists():
            self.stop(spec.instance_id)
        work.mkdir(parents=True, exist_ok=True)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GRAPH_OLAP_")},
            "GRAPH_OLAP_WRAPPER_ENGINE": spec.wrapper_type,
            "GRAPH_OLAP_WRAPPER_HOST": "127.0.0.1",
            "GRAPH_OLAP_WRAPPER_PORT": str(port),
            "GRAPH_OLAP_WRAPPER_INSTANCE_ID": str(spec.instance_id),
            "GRAPH_OLAP_WRAPPER_URL_SLUG": spec.url_slug,
            "GRAPH_OLAP_WRAPPER_INSTANCE_URL": url,
            "GRAPH_OLAP_WRAPPER_CONTROL_PLANE_URL": spec.control_plane_url,
            "GRAPH_OLAP_WRAPPER_INTERNAL_API_KEY": spec.internal_api_key,
            "GRAPH_OLAP_WRAPPER_DATA_DIR": str(work / "data"),
            "GRAPH_OLAP_WRAPPER_THREADS": str(spec.threads),
            "GRAPH_OLAP_WRAPPER_MAX_ROWS": str(spec.max_rows),
        }
        with open(work / "wrapper.log", "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", _MARKER],
                env=env,
                cwd=work,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: stop() reaches engine children
            )
        with self._lock:
            self._children[spec.instance_id] = process
        record = {"pid": process.pid, "port": port, "url": url, "started_at": time.time()}
        (work / "wrapper.json").write_text(json.dumps(record))
        return Launched(pod_name=f"local-{process.pid}", instance_url=url)

    def stop(self, instance_id: int) -> None:
        pid = self._pid(instance_id)
        if pid is not None and self._alive(instance_id, pid):
            self._signal(pid, signal.SIGTERM)
            deadline = time.monotonic() + self.grace_seconds
            while time.monotonic() < deadline and self._alive(instance_id, pid):
                time.sleep(0.05)
            if self._alive(instance_id, pid):
                self._signal(pid, signal.SIGKILL)
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline and self._alive(instance_id, pid):
                    time.sleep(0.05)
        with self._lock:
            child = self._children.pop(instance_id, None)
        if child is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=1)
        shutil.rmtree(self._dir(instance_id), ignore_errors=True)

    def is_alive(self, instance_id: int) -> bool:
        pid = self._pid(instance_id)
        return pid is not None and self._alive(instance_id, pid)

    def running(self) -> list[int]:
        if not self.root.exists():
            return []
        ids = [int(p.name) for p in self.root.iterdir() if p.name.isdigit()]
        return sorted(i for i in ids if self.is_alive(i))

    def log_tail(self, instance_id: int, lines: int = 20) -> str:
        path = self._dir(instance_id) / "wrapper.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def _pid(self, instance_id: int) -> int | None:
        path = self._dir(instance_id) / "wrapper.json"
        try:
            record: dict[str, Any] = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        pid = record.get("pid")
        return pid if isinstance(pid, int) else None

    def _alive(self, instance_id: int, pid: int) -> bool:
        with self._lock:
            child = self._children.get(instance_id)
        if child is not None and child.pid == pid:
            return child.poll() is None  # also reaps our own exited children
        return _process_is_wrapper(pid)

    @staticmethod
    def _signal(pid: int, sig: signal.Signals) -> None:
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            pass
        except PermissionError:
            os.kill(pid, sig)


def _process_is_wrapper(pid: int) -> bool:
    """A live, non-zombie process running our wrapper (guards against recycled pids)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                return False
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return _MARKER.encode() in cmdline.read()
    except (OSError, IndexError):
        return False
