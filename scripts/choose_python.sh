#!/usr/bin/env bash
# Print the Python that scripts/setup.sh makes .venv with: LO_AUDIT_PYTHON if set; else
# Debian's own /usr/bin/python3 when it is 3.11+ and can make a venv; else python3 on PATH.
# Builds of the same Python differ in speed: on the 2-core development machine Debian's
# python3.11 ran the audit 23% faster (same code, same pages) than the pyenv-built 3.11.7
# that comes first on its PATH, a shared-library build without profile-guided optimisation
# (benchmarks/README.md, fifth pass).
set -euo pipefail
if [ -n "${LO_AUDIT_PYTHON:-}" ]; then
  echo "$LO_AUDIT_PYTHON"
elif [ -x /usr/bin/python3 ] && /usr/bin/python3 -c \
    'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo /usr/bin/python3
else
  echo python3
fi
