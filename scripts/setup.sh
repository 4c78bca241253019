#!/usr/bin/env bash
# Install everything lo-audit needs on a fresh Debian machine (Python 3.11+):
# Debian's chromium for the axe-core engine and browser tests, then a virtualenv in .venv
# with the package and its test dependencies. Safe to re-run: finished steps are skipped
# (an existing .venv is kept whatever made it: remove it to rebuild with another Python).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "setup: installing Debian's chromium (for axe-core and the browser tests)"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium
fi

if [ ! -x .venv/bin/python ]; then
  PYTHON="$(bash scripts/choose_python.sh)"
  echo "setup: creating .venv with $PYTHON ($("$PYTHON" --version 2>&1))"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -U pip 2>&1 | grep -v "is ignored" || true
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]' 2>&1 | grep -v "is ignored" || true
.venv/bin/python -c "import audit, crawler, scrapy, datasette" || { echo "setup: install failed" >&2; exit 1; }
# Byte-compile the project's own modules: pip compiles installed packages, but this one is
# installed editable, and with PYTHONDONTWRITEBYTECODE set (as on many CI machines) every
# crawl, audit and worker process would compile it again (~0.03 s each for the crawl's).
.venv/bin/python -m compileall -q audit crawler >/dev/null
echo "setup: ready (.venv)"
