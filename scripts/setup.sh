#!/usr/bin/env bash
# Install everything lo-audit needs on a fresh Debian machine (Python 3.11+):
# Debian's chromium for the axe-core engine and browser tests, then a virtualenv in .venv
# with the package and its test dependencies, and the audit's hot modules compiled with Cython
# (scripts/compile_modules.py; needs a C compiler and the Python headers, installed with apt
# when missing; without them lo-audit runs as plain Python, slower). Safe to re-run: finished
# steps are skipped (an existing .venv is kept whatever made it: remove it to rebuild with
# another Python) and only modules whose .py changed are recompiled.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
APT_UPDATED=""
apt_install() {
  [ -n "$APT_UPDATED" ] || { $SUDO apt-get update -q && APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "$@"
}

if ! command -v chromium >/dev/null 2>&1; then
  echo "setup: installing Debian's chromium (for axe-core and the browser tests)"
  apt_install chromium
fi

if [ ! -x .venv/bin/python ]; then
  PYTHON="$(bash scripts/choose_python.sh)"
  echo "setup: creating .venv with $PYTHON ($("$PYTHON" --version 2>&1))"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -U pip 2>&1 | grep -v "is ignored" || true
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test,speed]' 2>&1 | grep -v "is ignored" || true

# A C compiler and the headers of .venv's Python, for Cython: apt-installed when missing and the
# headers are Debian's (another build's headers come with that build). Not fatal: without them
# compile_modules.py says why and lo-audit runs as plain Python.
{ read -r CC_NAME; read -r PY_H; read -r PY_DEV; } < <(.venv/bin/python -c '
import os, sys, sysconfig
print((os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()[0])
print(os.path.join(sysconfig.get_paths()["include"], "Python.h"))
print("python%d.%d-dev" % sys.version_info[:2])')
NEED=()
command -v "$CC_NAME" >/dev/null 2>&1 || NEED+=(gcc)
[ -f "$PY_H" ] || [[ "$PY_H" != /usr/include/* ]] || NEED+=("$PY_DEV")
if [ ${#NEED[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing ${NEED[*]} (to compile the audit's hot modules with Cython)"
  apt_install "${NEED[@]}" || echo "setup: could not install ${NEED[*]}; going on without them" >&2
fi
.venv/bin/python scripts/compile_modules.py

.venv/bin/python -c "import audit, crawler, scrapy, datasette" || { echo "setup: install failed" >&2; exit 1; }
# Byte-compile the project's own modules: pip compiles installed packages, but this one is
# installed editable, and with PYTHONDONTWRITEBYTECODE set (as on many CI machines) every
# crawl, audit and worker process would compile it again (~0.03 s each for the crawl's).
.venv/bin/python -m compileall -q audit crawler >/dev/null
echo "setup: ready (.venv)"
