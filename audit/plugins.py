"""Checks from other packages, the way Datasette takes plugins: pluggy hooks.

A package that declares an entry point in the ``lo_audit`` group, e.g. in its
``pyproject.toml``::

    [project.entry-points.lo_audit]
    my_checks = "my_package.lo_audit_checks"

and implements the hook in that module::

    from audit.plugins import hookimpl

    @hookimpl
    def register_checks():
        return [MyCheck]          # audit.check.Check subclasses

has its checks run after lo-audit's own (``audit.checks.CHECKS``), with their columns,
tables, findings and dimension published like the built-in ones. A council or researcher
can so add a check without forking lo-audit. A plugin dimension's weight is added to the
100 of the built-in ones and the total score is scaled back to 0-100.
"""

from __future__ import annotations

from functools import lru_cache

import pluggy

hookspec = pluggy.HookspecMarker("lo_audit")
hookimpl = pluggy.HookimplMarker("lo_audit")


class Spec:
    @hookspec
    def register_checks(self):
        """A list of ``audit.check.Check`` subclasses to run after the built-in checks."""


@lru_cache(maxsize=1)
def plugin_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager("lo_audit")
    manager.add_hookspecs(Spec)
    manager.load_setuptools_entrypoints("lo_audit")
    return manager


def all_checks() -> tuple:
    """The built-in checks in their order, then every plugin's (in plugin name order, so
    the order does not depend on how the environment was installed)."""
    from audit.checks import CHECKS

    extra = []
    manager = plugin_manager()
    for name, plugin in sorted(manager.list_name_plugin(), key=lambda np: np[0] or ""):
        if hasattr(plugin, "register_checks"):
            extra.extend(plugin.register_checks() or ())
    names = [check.name for check in CHECKS]
    for check in extra:
        if check.name in names:
            raise ValueError(f"two checks are named {check.name!r}")
        names.append(check.name)
    return tuple(CHECKS) + tuple(extra)


def dimensions() -> tuple:
    """Every check's dimension, in check order: the order the published pages use."""
    return tuple(check.dimension for check in all_checks() if check.dimension is not None)
