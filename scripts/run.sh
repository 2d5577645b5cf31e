#!/usr/bin/env bash
# Installs graph-olap into .venv and runs the local platform (dev mode, SQLite in ~/.graph-olap).
# Extra arguments go to `graph-olap serve`, e.g. scripts/run.sh --port 8001.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/graph-olap serve --dev "$@"
