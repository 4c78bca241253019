#!/usr/bin/env bash
# Set up (see setup.sh), then run the offline demo end to end: serve the bundled demo
# Local Offer sites on loopback, crawl them, audit them, and serve the league table with
# Datasette on http://127.0.0.1:8001/ (options are passed to `lo-audit demo`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/lo-audit demo "$@"
