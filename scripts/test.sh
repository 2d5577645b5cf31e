#!/usr/bin/env bash
# Installs graph-olap with its test tools (and PostgreSQL), then runs lint, types and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
source .venv/bin/activate
ruff check src tests benchmarks
ruff format --check src tests benchmarks
mypy
pytest "$@"
