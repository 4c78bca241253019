"""scripts/choose_python.sh: the interpreter scripts/setup.sh builds .venv with."""

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "choose_python.sh"


def choose(**env) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "LO_AUDIT_PYTHON"}
    result = subprocess.run(["bash", str(SCRIPT)], env={**environ, **env}, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_lo_audit_python_wins():
    assert choose(LO_AUDIT_PYTHON="/opt/custom/bin/python3.12") == "/opt/custom/bin/python3.12"


def test_otherwise_a_python_311_or_later_that_can_make_a_venv():
    python = choose()
    assert python in ("/usr/bin/python3", "python3")
    out = subprocess.run([python, "-c", "import sys, venv; print(sys.version_info >= (3, 11))"],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"
    if Path("/usr/bin/python3").exists() and subprocess.run(
            ["/usr/bin/python3", "-c", "import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))"],
            capture_output=True).returncode == 0:
        assert python == "/usr/bin/python3"  # Debian's own build is preferred when it can make a venv
