#!/usr/bin/env bash
# Set up (see setup.sh), then run the whole test suite: real crawls against loopback
# servers, a real SQLite database, a real Datasette, headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
