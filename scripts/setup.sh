#!/usr/bin/env bash
# Prepare a fresh Debian machine with Python 3.11: system packages and the project virtualenv.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  if ! "$python" -m venv .venv; then
    # Debian's own Python ships venv separately.
    rm -rf .venv
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    "$python" -m venv .venv
  fi
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
