"""Compile the audit's hot modules with Cython, in place (run by scripts/setup.sh).

The same .py sources are compiled (no .pyx, no code changes): Cython writes C into build/cython/c,
setuptools builds each extension into build/cython/lib (objects in build/cython/temp), and the
extensions are copied next to the sources (audit/page.cpython-311-x86_64-linux-gnu.so beside
audit/page.py), where Python imports them in preference to the .py. Re-running only recompiles
modules whose .py changed (cythonize and build_ext both go by timestamps, and build/ is kept), or
every module when the directives, Cython or Python changed (build/cython/made-with.txt).

When compiling is impossible (Cython or setuptools missing, no C compiler, no Python headers, a
build error) this prints one line saying why, removes the listed modules' extensions (so the .py
files run), and exits 0: lo-audit then runs as plain Python, only slower. Either outcome is
written to build/compile-status.txt ("compiled N modules" or "not compiled: <reason>"), which the
tests read. audit/__init__.py refuses to import when an extension is older than its .py.

Usage: .venv/bin/python scripts/compile_modules.py
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import sysconfig
import time
from contextlib import contextmanager
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "audit"
# The modules the audit spends its time in (per page: the static accessibility engine, the page
# model, the checks, the WARC reader and the runner's loop). Compiled, they cut the audit's
# instructions per page by 8.6% and its CPU by about 13% (benchmarks/README.md).
MODULES = (
    "a11y_names", "a11y_static", "page", "staleness", "features", "aids", "statutory", "dates",
    "evidence", "runner", "urls", "soft404", "send_space", "pfa", "scope",
)
# annotation_typing=False: the sources' annotations are documentation, not C types (with them
# as types Cython rejects, e.g., a defaultdict passed where dict[...] is annotated).
# cpow=True: a power of two C integers stays an integer, as in Python. Cython makes len() a C
# integer, and with its default (cpow=False) urls.literal_address's 256 ** (5 - len(values)) was
# a C double: the address became the float 2130706433.0, which ipaddress rejects (tests/test_urls.py
# and a crawl test failed). Those two lines are the only power of C integers in these modules (the
# generated C has no other pow call); the exponents there are 1 to 4, so nothing overflows.
DIRECTIVES = {"language_level": 3, "annotation_typing": False, "cpow": True}
BUILD = ROOT / "build" / "cython"
STATUS = ROOT / "build" / "compile-status.txt"
# What the files in BUILD were made with: timestamps do not show a change of directives, Cython
# or Python, so when this differs from the last build every module is compiled again.
STAMP = BUILD / "made-with.txt"
LOG = ROOT / "build" / "compile.log"
FALLBACK = "lo-audit will run as plain Python (slower)"


class BuildFailed(Exception):
    pass


def package_dir() -> Path:
    return ROOT / PACKAGE


def extension_paths(name: str) -> list[Path]:
    """Every file this interpreter would import as the compiled module ``name``."""
    return [package_dir() / (name + suffix) for suffix in EXTENSION_SUFFIXES]


def remove_extensions(names) -> list[str]:
    removed = []
    for name in names:
        for path in extension_paths(name):
            if path.exists():
                path.unlink()
                removed.append(str(path.relative_to(ROOT)))
    return removed


def unlisted_extensions() -> list[str]:
    """Modules of the package with an extension beside them that MODULES no longer lists."""
    names = set()
    for entry in os.listdir(package_dir()):
        for suffix in sorted(EXTENSION_SUFFIXES, key=len, reverse=True):
            if entry.endswith(suffix):
                names.add(entry[: -len(suffix)])
                break
    return sorted(names - set(MODULES))


def why_not() -> str | None:
    """Why compiling cannot even start here, or None."""
    try:
        import Cython
    except ImportError:
        return "Cython is not installed (pip install 'Cython>=3.1,<4')"
    version = re.match(r"(\d+)\.(\d+)", Cython.__version__)
    if not version or (int(version[1]), int(version[2])) < (3, 1):
        return f"Cython {Cython.__version__} is too old (3.1 or later is needed)"
    try:
        import setuptools  # noqa: F401
    except ImportError:
        return "setuptools is not installed (pip install setuptools)"
    compiler = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler: {compiler} not found (on Debian: apt-get install gcc)"
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not headers.exists():
        dev = "python%d.%d-dev" % sys.version_info[:2]
        return f"no Python headers: {headers} is missing (on Debian: apt-get install {dev})"
    return None


@contextmanager
def output_to(path: Path):
    """Send this process's and its children's stdout and stderr (Cython's and the compiler's
    messages) to ``path``."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(path, "wb") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


def first_error(log: Path) -> str | None:
    """The first error the compiler (``file.c:1:2: error: ...``) or Cython (``file.py:1:2: ...``;
    its warnings start with ``warning:``) wrote to ``log``."""
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return None
    for line in lines:
        if "error:" in line or re.match(r"[^\s:]+\.py:\d+:\d+: ", line):
            return line.strip()[:200]
    return None


def build(jobs: int) -> list[str]:
    """Compile every listed module; copy the extensions that changed next to their .py.
    Returns the modules whose extension was (re)placed."""
    try:
        with output_to(LOG):
            import Cython
            from Cython.Build import cythonize
            from setuptools import Distribution, Extension

            stamp = (f"directives {sorted(DIRECTIVES.items())}, Cython {Cython.__version__}, "
                     f"Python {sys.version} ({sys.executable})\n")
            force = not STAMP.exists() or STAMP.read_text() != stamp

            # No setup(): it would read the project's pyproject.toml, whose [project] table an old
            # setuptools in the venv may reject (setuptools 66 and license = "Apache-2.0").
            sources = [Extension(f"{PACKAGE}.{name}", [f"{PACKAGE}/{name}.py"]) for name in MODULES]
            started = time.monotonic()
            extensions = cythonize(sources, build_dir=str(BUILD / "c"), compiler_directives=DIRECTIVES,
                                   nthreads=jobs, quiet=True, force=force)
            print(f"compile_modules: cythonize {time.monotonic() - started:.1f} s", flush=True)
            dist = Distribution({"name": "lo-audit-compiled", "ext_modules": extensions})
            command = dist.get_command_obj("build_ext")
            command.build_lib = str(BUILD / "lib")
            command.build_temp = str(BUILD / "temp")
            command.parallel = jobs
            command.inplace = 0
            command.force = int(force)
            command.ensure_finalized()
            command.run()
            print(f"compile_modules: cythonize and build_ext -j {jobs} {time.monotonic() - started:.1f} s",
                  flush=True)
            built = {ext.name: Path(command.get_ext_fullpath(ext.name)) for ext in extensions}
            STAMP.write_text(stamp)
    except (Exception, SystemExit) as exc:  # distutils reports some failures as SystemExit
        detail = first_error(LOG) or f"{type(exc).__name__}: {exc}"
        raise BuildFailed(f"building failed ({detail}; full output in {LOG.relative_to(ROOT)})") from exc
    replaced = []
    for name in MODULES:
        source = built[f"{PACKAGE}.{name}"]
        target = package_dir() / source.name
        if not source.exists():
            raise BuildFailed(f"building failed ({source} was not made)")
        if target.exists():
            have, new = target.stat(), source.stat()
            if (have.st_mtime_ns, have.st_size) == (new.st_mtime_ns, new.st_size):
                continue
        # A new file renamed over the old: a process that has the old extension loaded keeps
        # its mapping intact (writing into the loaded file could crash it).
        partial = target.with_name(target.name + ".partial")
        shutil.copy2(source, partial)
        os.replace(partial, target)
        replaced.append(name)
    return replaced


def main() -> int:
    started = time.monotonic()
    os.chdir(ROOT)
    STATUS.parent.mkdir(parents=True, exist_ok=True)
    unlisted = unlisted_extensions()
    if unlisted:
        removed = remove_extensions(unlisted)
        print(f"compile_modules: removed {', '.join(removed)} (module no longer compiled)")
    jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    reason = why_not()
    replaced: list[str] = []
    if reason is None:
        try:
            replaced = build(jobs)
        except BuildFailed as failed:
            reason = str(failed)
        except Exception as exc:  # putting the extensions in place
            reason = f"{type(exc).__name__}: {exc}"
    if reason is not None:
        remove_extensions(MODULES)
        STATUS.write_text(f"not compiled: {reason}\n")
        print(f"compile_modules: not compiling the audit's modules: {reason}; {FALLBACK}")
        return 0
    STATUS.write_text(f"compiled {len(MODULES)} modules\n")
    if replaced:
        print(f"compile_modules: {len(replaced)} of {len(MODULES)} modules compiled with Cython and put in "
              f"place ({', '.join(replaced)}; {time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
