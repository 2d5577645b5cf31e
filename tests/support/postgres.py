"""A throwaway PostgreSQL server for tests, from the machine's Debian packages.

`scripts/test.sh` installs the `postgresql` package; this module only initialises a cluster in a
temporary directory, starts it on a free loopback port and removes it afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from tests.support.net import free_port


def find_pg_bin() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PostgresServer:
    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="graph-olap-pg-"))
        self.port = free_port()
        self.data = self.root / "data"

    def _run(self, command: str) -> None:
        if os.geteuid() == 0:
            # initdb refuses to run as root: run the server as the packaged postgres user.
            shutil.chown(self.root, "postgres")
            subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", command], check=True)
        else:
            subprocess.run(["/bin/sh", "-c", command], check=True)

    def start(self) -> None:
        initdb, pg_ctl = self.bin_dir / "initdb", self.bin_dir / "pg_ctl"
        self._run(f"{initdb} -D {self.data} -U postgres -A trust --no-sync >/dev/null")
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
            "-c fsync=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(f"{pg_ctl} -D {self.data} -o '{options}' -l {self.root}/log -w start >/dev/null")

    def stop(self) -> None:
        try:
            self._run(f"{self.bin_dir / 'pg_ctl'} -D {self.data} -m immediate -w stop >/dev/null")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def create_database(self) -> str:
        """A new empty database, so every platform starts its migrations from nothing."""
        import psycopg

        name = f"graph_olap_{uuid.uuid4().hex[:8]}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(self.admin_url, autocommit=True) as connection:
                    connection.execute(f'CREATE DATABASE "{name}"')
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"
