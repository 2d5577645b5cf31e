"""A private redis-server child process (with the FalkorDB module) for one wrapper.

The server listens on a Unix socket only (``--port 0``: no TCP port at all), in the wrapper's
private working directory, with permissions 700. It never persists anything (``--save ''``,
``--appendonly no``): the graph lives in memory and is rebuilt from the snapshot on every start.

The child must never outlive the wrapper:

- ``stop()`` asks for ``SHUTDOWN NOSAVE``, then terminates, then kills the process;
- on Linux the child gets ``PR_SET_PDEATHSIG = SIGKILL``. The kernel sends that signal when the
  *thread* that forked the child ends, not the process, and the wrapper starts its engine from a
  short-lived loader thread; so the child is forked by a dedicated supervisor thread that lives
  exactly as long as the server (it waits for the child's exit). If the wrapper dies, even by
  SIGKILL, every thread dies with it and the kernel kills the server;
- it stays in the wrapper's process group, so a signal to the group reaches it too.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import ctypes.util
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger("graph_olap_platform.wrapper.engines")

_PR_SET_PDEATHSIG = 1
_MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes including the NUL; keep a margin


def connect(socket_path: Path, *, retries: int = 0, **kwargs: Any) -> redis.Redis:
    """A redis-py client on the Unix socket; connection errors are retried ``retries`` times,
    at once (redis-py's default retries with back-off for seconds, which only hides a dead
    local server)."""
    return redis.Redis(
        unix_socket_path=str(socket_path), retry=Retry(NoBackoff(), retries), **kwargs
    )


class RedisServerError(Exception):
    """The server could not be started (the message carries the tail of its log)."""


def _pdeathsig_setup() -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes the kernel SIGKILL the child when its parent thread ends."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        prctl = libc.prctl  # resolved here: the child must not do lookups between fork and exec
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def setup() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return setup


def _kill_at_exit(ref: weakref.ref[RedisServer]) -> None:
    server = ref()
    if server is not None:
        server.stop(timeout=2.0)


class RedisServer:
    """One redis-server child listening on a Unix socket in ``work_dir``."""

    def __init__(
        self,
        executable: str,
        work_dir: Path,
        *,
        modules: Sequence[tuple[str, Sequence[str]]] = (),
        extra_args: Sequence[str] = (),
    ) -> None:
        self.executable = executable
        self.work_dir = work_dir
        self.modules = list(modules)
        self.extra_args = list(extra_args)
        self.log_path = work_dir / "redis-server.log"
        self.socket_path = work_dir / "redis.sock"
        self._socket_dir: Path | None = None  # a short private directory when work_dir is long
        self._process: subprocess.Popen[bytes] | None = None
        self._supervisor: threading.Thread | None = None
        self._exit_code: int | None = None
        self._lock = threading.Lock()

    # -- state ----------------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def exit_code(self) -> int | None:
        return self._exit_code

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log_tail(self, lines: int = 25) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def command_line(self) -> list[str]:
        args = [
            self.executable,
            "--port", "0",  # no TCP listener at all
            "--bind", "127.0.0.1",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--protected-mode", "yes",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.work_dir),
            "--daemonize", "no",
            "--databases", "1",
        ]  # fmt: skip
        for path, module_args in self.modules:
            args += ["--loadmodule", path, *module_args]
        return args + self.extra_args

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self, *, timeout: float = 30.0) -> None:
        """Start the server and wait until it answers PING (RedisServerError otherwise)."""
        if self._process is not None:
            raise RedisServerError("The server was already started")
        self.work_dir.mkdir(parents=True, exist_ok=True)
        if len(os.fsencode(self.socket_path)) > _MAX_SOCKET_PATH:
            self._socket_dir = Path(tempfile.mkdtemp(prefix="falkordb-"))  # mode 700
            self.socket_path = self._socket_dir / "redis.sock"
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()

        started = threading.Event()
        failure: list[BaseException] = []

        def supervise() -> None:
            # This thread forks the child and lives until the child exits (see the module doc).
            try:
                with open(self.log_path, "ab") as log_file:
                    self._process = subprocess.Popen(
                        self.command_line(),
                        stdin=subprocess.DEVNULL,
                        stdout=log_file,
                        stderr=subprocess.STDOUT,
                        cwd=self.work_dir,
                        close_fds=True,
                        preexec_fn=_pdeathsig_setup(),
                    )
            except BaseException as exc:
                failure.append(exc)
                started.set()
                return
            started.set()
            self._exit_code = self._process.wait()
            log.log(
                logging.INFO if self._exit_code == 0 else logging.WARNING,
                "redis-server (pid %d) exited with code %s",
                self._process.pid,
                self._exit_code,
            )

        self._supervisor = threading.Thread(target=supervise, name="falkordb-server", daemon=True)
        self._supervisor.start()
        started.wait()
        if failure:
            self._process = None
            raise RedisServerError(f"Cannot start {self.executable}: {failure[0]}")
        atexit.register(_kill_at_exit, weakref.ref(self))
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop(timeout=2.0)
            raise

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last_error = "no answer"
        while True:
            if not self.is_running():
                raise RedisServerError(
                    f"redis-server exited with code {self._poll_code()} while starting; "
                    f"log:\n{self.log_tail()}"
                )
            if self.socket_path.exists():
                client = connect(self.socket_path, socket_timeout=2)
                try:
                    if client.ping():
                        return
                except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError) as exc:
                    last_error = str(exc)  # e.g. "LOADING": not ready yet
                finally:
                    client.close()
            if time.monotonic() > deadline:
                raise RedisServerError(
                    f"redis-server did not answer PING within {timeout:.0f} s ({last_error}); "
                    f"log:\n{self.log_tail()}"
                )
            time.sleep(0.01)

    def _poll_code(self) -> int | None:
        return self._process.poll() if self._process is not None else None

    def stop(self, *, timeout: float = 10.0) -> None:
        """SHUTDOWN NOSAVE, then SIGTERM, then SIGKILL; idempotent."""
        with self._lock:
            process = self._process
            if process is not None and process.poll() is None:
                self._shutdown_nosave()
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    log.warning("redis-server (pid %d) ignored SHUTDOWN; terminating", process.pid)
                    process.terminate()
                    try:
                        process.wait(5.0)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait(5.0)
            if self._supervisor is not None:
                self._supervisor.join(5.0)
            with contextlib.suppress(OSError):
                self.socket_path.unlink()
            if self._socket_dir is not None:
                shutil.rmtree(self._socket_dir, ignore_errors=True)
                self._socket_dir = None

    def _shutdown_nosave(self) -> None:
        if not self.socket_path.exists():
            return
        client = connect(self.socket_path, socket_timeout=5)
        try:
            client.execute_command("SHUTDOWN", "NOSAVE")  # type: ignore[no-untyped-call]
        except (redis.ConnectionError, redis.TimeoutError):
            pass  # the server closes the connection as it exits
        except redis.ResponseError as exc:
            log.warning("SHUTDOWN NOSAVE refused: %s", exc)
        finally:
            client.close()
