#!/usr/bin/env bash
# Installs graph-olap into .venv, starts the local platform (dev mode, SQLite and the demo
# warehouse in ~/.graph-olap) and opens JupyterLab on the example notebooks; Ctrl-C stops both.
#
#   scripts/run.sh                     platform on 127.0.0.1:8000, JupyterLab on 127.0.0.1:8888
#   scripts/run.sh --platform-only     just the platform, in the foreground
#   GRAPH_OLAP_PORT=8001 JUPYTER_PORT=8889 scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

port=${GRAPH_OLAP_PORT:-8000}
if [[ "${1:-}" == "--platform-only" ]]; then
  exec .venv/bin/graph-olap serve --dev --port "$port"
fi

log_dir=${GRAPH_OLAP_DATA_DIR:-$HOME/.graph-olap}
mkdir -p "$log_dir"
.venv/bin/graph-olap serve --dev --port "$port" >"$log_dir/platform.log" 2>&1 &
platform=$!
trap 'kill "$platform" 2>/dev/null; wait "$platform" 2>/dev/null || true' EXIT INT TERM

url="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
  if ! kill -0 "$platform" 2>/dev/null; then
    echo "The platform did not start; its log ($log_dir/platform.log) ends with:" >&2
    tail -n 20 "$log_dir/platform.log" >&2
    exit 1
  fi
  if .venv/bin/python -c "import httpx,sys; sys.exit(httpx.get('$url/ready').status_code != 200)" \
    2>/dev/null; then
    break
  fi
  sleep 0.5
done
echo "graph-olap platform: $url (log: $log_dir/platform.log)"

# The notebooks find the platform through the same variables users set.
export GRAPH_OLAP_API_URL="$url"
export GRAPH_OLAP_USERNAME="${GRAPH_OLAP_USERNAME:-$(id -un)}"
.venv/bin/jupyter lab --no-browser --ServerApp.ip=127.0.0.1 \
  --ServerApp.port="${JUPYTER_PORT:-8888}" --ServerApp.root_dir="$PWD/notebooks" \
  $([[ "$(id -u)" == "0" ]] && echo --allow-root)
