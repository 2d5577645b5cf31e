"""``python -m graph_olap_platform.wrapper``: serve one graph instance.

The HTTP server starts listening first (``/health`` answers at once); the graph loads in a
background thread and ``/ready`` passes when it is loaded. A load failure is reported and the
process exits non-zero; SIGTERM (or Ctrl-C) stops serving and closes the engine cleanly.
"""

from __future__ import annotations

import logging
import sys
import threading

import uvicorn

from graph_olap_platform.wrapper.app import create_app
from graph_olap_platform.wrapper.control_plane import ControlPlaneClient, LogReporter, Reporter
from graph_olap_platform.wrapper.engines.registry import create_engine
from graph_olap_platform.wrapper.loader import Loader
from graph_olap_platform.wrapper.mapping import InstanceMapping, from_payload, standalone_mapping
from graph_olap_platform.wrapper.settings import WrapperSettings
from graph_olap_platform.wrapper.state import WrapperState

log = logging.getLogger("graph_olap_platform.wrapper")


def main() -> int:
    settings = WrapperSettings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per internal call is noise
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.engine)
    state = WrapperState(
        engine=engine,
        engine_name=settings.engine,
        instance_id=settings.instance_id,
        owner_username=settings.owner_username,
    )
    control_plane: ControlPlaneClient | None = None
    reporter: Reporter = LogReporter()
    if not settings.standalone:
        assert settings.control_plane_url is not None
        control_plane = ControlPlaneClient(
            settings.control_plane_url,
            settings.internal_api_key,
            instance_id=settings.instance_id,
            url_slug=settings.url_slug,
            timeout=settings.control_plane_timeout_seconds,
            auth_ttl=settings.auth_cache_seconds,
            activity_min_interval=settings.activity_min_interval_seconds,
        )
        reporter = control_plane

    def fetch_mapping() -> InstanceMapping:
        if control_plane is None:
            return standalone_mapping(settings.snapshot_path, settings.mapping_file)
        return from_payload(control_plane.fetch_mapping(), snapshot_path=settings.snapshot_path)

    loader = Loader(settings, state, reporter, fetch_mapping)
    outcome = {"exit_code": 0}
    server: uvicorn.Server | None = None

    def load() -> None:
        if not loader.run() and not state.stop_event.is_set():
            outcome["exit_code"] = 1
            if server is not None:
                server.should_exit = True

    loader_thread = threading.Thread(target=load, name="graph-loader", daemon=True)

    def on_shutdown() -> None:
        state.stop_event.set()
        if state.status == "running":
            state.status = "stopping"
        try:
            engine.close()  # interrupts a COPY or query still running
        except Exception:
            log.exception("closing the engine failed")
        loader_thread.join(timeout=30)
        if control_plane is not None:
            control_plane.close()
        log.info("wrapper stopped")

    def on_orphaned() -> None:
        outcome["exit_code"] = 3
        if server is not None:
            server.should_exit = True

    app = create_app(
        settings,
        state,
        control_plane,
        on_startup=loader_thread.start,
        on_shutdown=on_shutdown,
        on_orphaned=on_orphaned,
    )
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    log.info(
        "wrapper starting: engine %s on %s:%s (%s)",
        settings.engine,
        settings.host,
        settings.port,
        "standalone" if settings.standalone else f"control plane {settings.control_plane_url}",
    )
    server.run()
    if not server.started and outcome["exit_code"] == 0:
        return 2  # could not bind the port, or the app failed to start
    return outcome["exit_code"]


if __name__ == "__main__":
    sys.exit(main())
