"""``lo-audit`` with one function of the spider made to raise for one URL: the fault
injection of tests/crawler/test_guard.py.

Scrapy's reactor starts once per process, so crawl tests run the command line in a child
process (conftest.lo_audit). This module is that child: ``LO_AUDIT_TEST_FAULT="NAME URL"``
replaces ``crawler.spider.NAME`` (a function a callback calls: ``shell_cue``, ``_body_start``,
``_chain`` ...) with one that raises the first time one of its arguments is, or has a ``url``
or ``.request.url`` that is, that URL (the first time only: the guard recording the fault may
call the same function, and a fault that followed it there would test the injection, not the
guard); then the command line runs in this process. The replacement is made on import, so
``--workers`` processes (spawned: each imports this module again as its main module) have it
too. Production code has no hook for it. ``NAME`` may be a method (``LocalOfferSpider.site_row``),
and an argument may stand for a URL by its ``seed_url`` too (a council's crawl state); a third
word, ``always``, makes the fault happen on every call, not the first only.

    LO_AUDIT_TEST_FAULT="NAME URL [always]" python faulty_crawl.py lo-audit-args...
"""

from __future__ import annotations

import os
import sys

import crawler.spider
from audit.cli import main

# Two lines: the crawl's error line must carry the first only.
MESSAGE = "injected fault for {url}\nsecond line of the message"


def _urls(arg) -> set[str]:
    """The URLs an argument stands for: itself (a str), its ``url``, its request's."""
    if isinstance(arg, str):
        return {arg}
    return {u for u in (getattr(arg, "url", None), getattr(getattr(arg, "request", None), "url", None),
                        getattr(arg, "seed_url", None)) if u}


def inject(name: str, url: str, always: str = "") -> None:
    owner_name, _, attribute = name.rpartition(".")
    owner = getattr(crawler.spider, owner_name) if owner_name else crawler.spider
    original = getattr(owner, attribute)
    raised = False

    def faulty(*args, **kwargs):
        nonlocal raised
        if (always or not raised) and any(url in _urls(arg) for arg in args):
            raised = True
            raise RuntimeError(MESSAGE.format(url=url))
        return original(*args, **kwargs)

    setattr(owner, attribute, faulty)


inject(*os.environ["LO_AUDIT_TEST_FAULT"].split())

if __name__ == "__main__":
    sys.argv[0] = "lo-audit"
    main()
