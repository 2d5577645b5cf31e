"""A real IPython kernel (ipykernel via jupyter_client) driven like a front-end does.

``KernelSession.execute`` runs a cell and gathers what a front-end would receive: streams,
display data, the execute result, errors, and the state of every widget (comm_open, then its
updates). ``send_widget_update`` plays a widget's front-end sending a state change, as a
click on a button does.
"""

from __future__ import annotations

import os
import queue
import time
from dataclasses import dataclass, field
from typing import Any

from jupyter_client.manager import KernelManager, start_new_kernel


@dataclass
class CellRun:
    msg_id: str
    stdout: str = ""
    stderr: str = ""
    displays: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    done: bool = False

    def raise_error(self) -> None:
        if self.error is not None:
            trace = "\n".join(self.error["traceback"])
            raise AssertionError(f"{self.error['ename']}: {self.error['evalue']}\n{trace}")


class KernelSession:
    def __init__(self, env: dict[str, str] | None = None) -> None:
        full_env = {**os.environ, **(env or {})}
        self.manager: KernelManager
        self.manager, self.client = start_new_kernel(kernel_name="python3", env=full_env)
        # comm_id -> {"model": ProgressModel/ResultModel name, "state": {...}}
        self.widgets: dict[str, dict[str, Any]] = {}

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)

    # -- running cells ----------------------------------------------------------------------

    def start(self, code: str) -> CellRun:
        return CellRun(self.client.execute(code, allow_stdin=False))

    def pump(self, run: CellRun, timeout: float) -> None:
        """Handle iopub messages until the cell is idle or ``timeout`` seconds pass."""
        deadline = time.monotonic() + timeout
        while not run.done and time.monotonic() < deadline:
            try:
                msg = self.client.get_iopub_msg(
                    timeout=min(0.2, max(0.01, deadline - time.monotonic()))
                )
            except queue.Empty:
                continue
            self._handle(msg, run)

    def wait(self, run: CellRun, timeout: float = 120) -> CellRun:
        self.pump(run, timeout)
        if not run.done:
            raise AssertionError(f"the cell did not finish within {timeout} s: {run}")
        return run

    def execute(self, code: str, timeout: float = 120, *, allow_error: bool = False) -> CellRun:
        run = self.wait(self.start(code), timeout)
        if not allow_error:
            run.raise_error()
        return run

    def _handle(self, msg: dict[str, Any], run: CellRun) -> None:
        kind = msg["msg_type"]
        content = msg["content"]
        if kind == "comm_open":
            self.widgets[content["comm_id"]] = {
                "model": content["data"]["state"].get("_anywidget_id", ""),
                "state": dict(content["data"]["state"]),
            }
        elif kind == "comm_msg":
            data = content["data"]
            widget = self.widgets.get(content["comm_id"])
            if widget is not None and data.get("method") in ("update", "echo_update"):
                widget["state"].update(data.get("state", {}))
        if msg["parent_header"].get("msg_id") != run.msg_id:
            return
        if kind == "stream":
            if content["name"] == "stdout":
                run.stdout += content["text"]
            else:
                run.stderr += content["text"]
        elif kind == "display_data":
            run.displays.append(content["data"])
        elif kind == "execute_result":
            run.result = content["data"]
        elif kind == "error":
            run.error = content
        elif kind == "status" and content["execution_state"] == "idle":
            run.done = True

    # -- widgets ----------------------------------------------------------------------------

    def widgets_of(self, class_name: str) -> list[dict[str, Any]]:
        return [w for w in self.widgets.values() if w["model"].endswith(f".{class_name}")]

    def comm_id_of(self, widget: dict[str, Any]) -> str:
        return next(key for key, value in self.widgets.items() if value is widget)

    def send_widget_update(self, comm_id: str, state: dict[str, Any]) -> None:
        """What a widget's front-end sends for ``model.set(...); model.save_changes()``."""
        content = {
            "comm_id": comm_id,
            "data": {"method": "update", "state": state, "buffer_paths": []},
        }
        self.client.shell_channel.send(self.client.session.msg("comm_msg", content))
