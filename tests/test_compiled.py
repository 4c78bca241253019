"""The audit's hot modules compiled with Cython (scripts/compile_modules.py, run by setup.sh):
they are in fact the ones imported when setup compiled them, a failure to compile leaves plain
Python and says why, and audit/__init__.py refuses an extension older than its .py."""

import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

import audit

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "compile_modules.py"
SUFFIX = EXTENSION_SUFFIXES[0]  # e.g. .cpython-311-x86_64-linux-gnu.so


def compile_modules():
    spec = importlib.util.spec_from_file_location("compile_modules", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stand_ins(directory: Path, name: str, source_age: int, extension_age: int) -> None:
    """``name``.py and a stand-in for its extension, last modified ``*_age`` seconds ago."""
    now = 1_900_000_000
    (directory / f"{name}.py").write_text("x = 1\n")
    (directory / f"{name}{SUFFIX}").write_bytes(b"not really an extension")
    os.utime(directory / f"{name}.py", (now - source_age, now - source_age))
    os.utime(directory / f"{name}{SUFFIX}", (now - extension_age, now - extension_age))


def test_the_module_list_names_existing_modules_once():
    modules = compile_modules().MODULES
    assert len(modules) == len(set(modules)) > 0
    missing = [name for name in modules if not (ROOT / "audit" / f"{name}.py").is_file()]
    assert not missing, f"compile_modules.py lists modules that do not exist: {missing}"
    assert "__init__" not in modules  # the stale-extension guard lives there


def test_the_listed_modules_run_compiled_or_the_reason_is_recorded():
    status_file = ROOT / "build" / "compile-status.txt"
    assert status_file.exists(), "scripts/compile_modules.py has not run: run scripts/setup.sh"
    status = status_file.read_text()
    modules = compile_modules().MODULES
    assert status.endswith("\n") and status.count("\n") == 1, status  # one line
    if status.startswith("compiled "):
        assert status == f"compiled {len(modules)} modules\n"
        plain = [name for name in modules
                 if not importlib.import_module(f"audit.{name}").__file__.endswith(tuple(EXTENSION_SUFFIXES))]
        assert not plain, f"{status_file} says compiled, yet these run as .py: {plain} (re-run scripts/setup.sh)"
    else:
        assert status.startswith("not compiled: ") and len(status) > len("not compiled: \n"), status
        left = [path.name for name in modules for path in (ROOT / "audit").glob(f"{name}.*") if path.suffix == ".so"]
        assert not left, f"compiling failed, yet extensions are left that would run: {left}"


def test_an_extension_older_than_its_source_is_refused(tmp_path):
    stand_ins(tmp_path, "page", source_age=10, extension_age=60)
    stand_ins(tmp_path, "dates", source_age=60, extension_age=10)
    with pytest.raises(ImportError) as refused:
        audit.check_compiled(str(tmp_path))
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"{tmp_path.name}.page: page.py is newer than its compiled page{SUFFIX}")
    assert "scripts/setup.sh" in message and "compile_modules.py" in message and "delete the .so" in message
    assert refused.value.name == f"{tmp_path.name}.page"


def test_extensions_newer_than_their_source_or_without_one_are_fine(tmp_path):
    stand_ins(tmp_path, "page", source_age=60, extension_age=10)
    stand_ins(tmp_path, "dates", source_age=10, extension_age=10)  # same time: fine
    (tmp_path / f"orphan{SUFFIX}").write_bytes(b"")  # no .py: nothing to be stale against
    (tmp_path / "notes.txt").write_text("")
    audit.check_compiled(str(tmp_path))


def test_importing_the_package_checks_its_own_directory(tmp_path):
    """audit/__init__.py runs the check on import: a copy of it as package ``pkg`` with a
    stale stand-in extension cannot be imported; with a fresh one it can."""
    package = tmp_path / "pkg"
    package.mkdir()
    shutil.copy(ROOT / "audit" / "__init__.py", package / "__init__.py")
    stand_ins(package, "page", source_age=10, extension_age=60)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", "import pkg"], env=env, capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1].startswith("ImportError: pkg.page: page.py is newer")
    stand_ins(package, "page", source_age=60, extension_age=10)
    subprocess.run([sys.executable, "-c", "import pkg"], env=env, check=True)


def test_without_a_compiler_setup_goes_on_as_plain_python(tmp_path):
    """compile_modules.py on a copy of the project with CC pointing nowhere: one line saying
    why, exit status 0, the reason recorded, and no extension left for any listed module (nor
    for a module it no longer lists)."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(SCRIPT, tmp_path / "scripts")
    shutil.copytree(ROOT / "audit", tmp_path / "audit", ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    stand_ins(tmp_path / "audit", "page", source_age=60, extension_age=10)
    stand_ins(tmp_path / "audit", "cli", source_age=60, extension_age=10)  # not in the list
    run = subprocess.run([sys.executable, str(tmp_path / "scripts" / "compile_modules.py")],
                         env={**os.environ, "CC": "/nonexistent/cc"}, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    reason = "no C compiler: /nonexistent/cc not found (on Debian: apt-get install gcc)"
    if not all(importlib.util.find_spec(name) for name in ("Cython", "setuptools")):
        reason = compile_modules().why_not()  # setup could not install them: that is the reason
    lines = run.stdout.splitlines()
    assert lines[-1] == (f"compile_modules: not compiling the audit's modules: {reason}; "
                         "lo-audit will run as plain Python (slower)")
    assert lines[:-1] == [f"compile_modules: removed audit/cli{SUFFIX} (module no longer compiled)"]
    assert not list((tmp_path / "audit").glob("*.so"))
    assert (tmp_path / "build" / "compile-status.txt").read_text() == f"not compiled: {reason}\n"
