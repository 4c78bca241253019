__version__ = "0.1.0"

import _imp  # builtin: importlib.machinery.EXTENSION_SUFFIXES without importing importlib
import os


def check_compiled(directory: str) -> None:
    """Raise ImportError if a module in ``directory`` has a compiled extension (made by
    scripts/compile_modules.py) older than its .py: Python imports the extension in preference
    to the .py, so an edited module would silently run its old code. One listdir and two stat
    calls per extension."""
    suffixes = tuple(sorted(_imp.extension_suffixes(), key=len, reverse=True))
    for entry in os.listdir(directory):
        if not entry.endswith(suffixes):
            continue
        name = entry[: -len(next(s for s in suffixes if entry.endswith(s)))]
        try:
            source = os.stat(os.path.join(directory, name + ".py")).st_mtime_ns
        except FileNotFoundError:
            continue
        if os.stat(os.path.join(directory, entry)).st_mtime_ns < source:
            module = f"{os.path.basename(os.path.normpath(directory))}.{name}"
            raise ImportError(
                f"{module}: {name}.py is newer than its compiled {entry}, which would run instead: "
                "run scripts/setup.sh (or .venv/bin/python scripts/compile_modules.py) to recompile, "
                "or delete the .so to run plain Python", name=module)


check_compiled(os.path.dirname(__file__))
