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

# The interpreter: LO_AUDIT_PYTHON if set; else Debian's own /usr/bin/python3 when it is
# 3.11+ and can make a venv; else python3 on PATH. Interpreter builds differ in speed: on
# the 2-core development machine Debian's python3.11 ran the audit 23% faster (same code,
# same pages) than the pyenv-built 3.11.7 that comes first on its PATH, a shared-library
# build without profile-guided optimisation (benchmarks/README.md, fifth pass).
pick_python() {
  if [ -n "${LO_AUDIT_PYTHON:-}" ]; then
    echo "$LO_AUDIT_PYTHON"
  elif [ -x /usr/bin/python3 ] && /usr/bin/python3 -c \
      'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo /usr/bin/python3
  else
    echo python3
  fi
}

if [ ! -x .venv/bin/python ]; then
  PYTHON="$(pick_python)"
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
