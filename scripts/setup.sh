#!/usr/bin/env bash
# Installs what graph-olap needs on a fresh Debian machine: a virtualenv with the package and,
# with --dev, the test tools, a PostgreSQL server for the store tests and Debian's Chromium for
# the browser tests (Playwright drives /usr/bin/chromium; it never downloads a browser).
set -euo pipefail
cd "$(dirname "$0")/.."

extras="platform,analysis,jupyter"
if [[ "${1:-}" == "--dev" ]]; then extras="dev"; fi

python=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[${extras}]"

if [[ "$extras" == "dev" ]] && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  echo "Installing PostgreSQL (Debian package) for the store tests..."
  sudo_cmd=""
  if [[ "$(id -u)" != "0" ]]; then sudo_cmd="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq postgresql >/dev/null
fi

if [[ "$extras" == "dev" ]] && [[ ! -x /usr/bin/chromium ]]; then
  echo "Installing Chromium (Debian package) for the browser tests..."
  sudo_cmd=""
  if [[ "$(id -u)" != "0" ]]; then sudo_cmd="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
