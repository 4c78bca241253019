"""Crawling with several processes (``--workers N``) without breaking per-host politeness.

One Scrapy process tops out at one CPU core. With N workers the councils are shared out
by the host name of their Local Offer, so every council on a host is crawled by the same
process and Scrapy's per-host limits still hold. Link targets on other hosts (gov.uk, NHS,
another council) are a different matter: any worker may find them. So every host has
exactly one process that may contact it:

- a Local Offer's host: the worker crawling it;
- every other host: the *link checker*, one more process, which checks the targets the
  workers hand over as they find them (through a pipe each), each target once whoever
  found it. A target on another worker's Local Offer host waits until that worker has
  finished (its pipe closes), then the link checker checks it.

The link checker runs alongside the crawl, so checks of other sites no longer wait for
the crawl to end, and a crawl of one council with ``--workers 2`` uses a second core for
them. Each handed-over target is also recorded (``deferred_link_checks``): when every
process has finished, the parent checks any of those the link checker did not (it
stopped early), so nothing found goes unchecked.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from multiprocessing.connection import Connection

from audit.core.registry import Council
from audit.core.urls import host_of


def shard_councils(councils: list[Council], workers: int,
                   sizes: dict[str, int] | None = None) -> list[list[Council]]:
    """Councils grouped by Local Offer host; hosts dealt out to the least-loaded worker,
    biggest group first. A group's size is its councils' pages in the previous crawl
    (``sizes``, by council code; a council not in it counts as the middle one that is),
    else its number of councils: a first crawl knows nothing more. Dealt by count, the
    10,000-page benchmark web (one site a third of its pages) left one of two workers with
    68 % of the work. Only non-empty shards are returned: there are fewer when there are
    fewer hosts."""
    by_host: dict[str, list[Council]] = {}
    for council in councils:
        by_host.setdefault(host_of(council.local_offer_url), []).append(council)
    sizes = sizes or {}
    known = sorted(size for size in sizes.values() if size > 0)
    unknown = known[len(known) // 2] if known else 1
    weight = {host: sum(sizes.get(c.code) or unknown for c in group) for host, group in by_host.items()}
    shards: list[list[Council]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for host in sorted(by_host, key=lambda h: (-weight[h], h)):
        least = loads.index(min(loads))
        shards[least].extend(by_host[host])
        loads[least] += weight[host]
    return [shard for shard in shards if shard]


def previous_sizes(conn, crawl_id: int) -> dict[str, int]:
    """Pages fetched for each council by its latest crawl before ``crawl_id`` that finished
    the site (``ok`` or ``partial``; kept by ``prune``): what a weekly re-crawl knows of its
    sites' sizes before it starts. A resumed crawl reads the same rows, so its workers get
    the same councils as the run it continues."""
    return {row["council_code"]: row["pages_fetched"] for row in conn.query(
        "SELECT council_code, pages_fetched FROM crawl_sites AS site WHERE crawl_id = ("
        "SELECT max(crawl_id) FROM crawl_sites WHERE council_code = site.council_code AND crawl_id < ? "
        "AND status IN ('ok', 'partial'))", [crawl_id])}


def seed_hosts(shards: list[list[Council]]) -> dict[str, int]:
    """Host of each Local Offer -> the index of the worker crawling it."""
    return {host_of(c.local_offer_url): i for i, shard in enumerate(shards) for c in shard}


@dataclass(frozen=True)
class HostOwnership:
    """Which hosts a crawl worker may contact: its own Local Offers' hosts. Targets on any
    other host go to the link checker."""

    seed_hosts: dict[str, int]  # host of a Local Offer -> the worker crawling it (seed_hosts())
    me: int

    def owns(self, url: str) -> bool:
        return self.seed_hosts.get(host_of(url)) == self.me


class LinkCheckInbox:
    """The link checker's ends of the workers' pipes: (council code, target) pairs.

    ``receive`` never waits: it returns what has arrived and may be checked now. Targets on
    a Local Offer host whose worker is still crawling are held until its pipe closes (the
    worker finished, or died). ``open`` is False once every pipe has closed."""

    def __init__(self, pipes: list[Connection], hosts: dict[str, int]):
        self._pipes = dict(enumerate(pipes))  # worker index -> its pipe, while open
        self._hosts = hosts
        self._held: dict[int, list[tuple[str, str]]] = {}

    @property
    def open(self) -> bool:
        return bool(self._pipes)

    def receive(self) -> list[tuple[str, str]]:
        ready: list[tuple[str, str]] = []
        for worker, pipe in list(self._pipes.items()):
            try:
                while pipe.poll():
                    code, target = pipe.recv()
                    owner = self._hosts.get(host_of(target))
                    if owner in self._pipes:
                        self._held.setdefault(owner, []).append((code, target))
                    else:
                        ready.append((code, target))
            except (EOFError, OSError):  # the worker has gone: its hosts are free now
                pipe.close()
                del self._pipes[worker]
                ready.extend(self._held.pop(worker, ()))
        return ready


def start_workers(crawl, check, shards: list[list[Council]], *args) -> list[multiprocessing.Process]:
    """One crawl process per shard, running ``crawl(shard, ownership, pipe, *args)``, and the
    link checker, running ``check(inbox, councils, *args)`` with every shard's councils; the
    link checker last in the list.
    Spawned, not forked: each child starts its own Twisted reactor from a clean interpreter."""
    context = multiprocessing.get_context("spawn")
    pipes = [context.Pipe(duplex=False) for _ in shards]  # (link checker's end, worker's end)
    hosts = seed_hosts(shards)
    processes = []
    for i, shard in enumerate(shards):
        process = context.Process(target=crawl, args=(shard, HostOwnership(hosts, i), pipes[i][1], *args),
                                  name=f"lo-audit-crawl-worker-{i}")
        process.start()
        processes.append(process)
    inbox = LinkCheckInbox([reader for reader, _ in pipes], hosts)
    councils = [council for shard in shards for council in shard]
    checker = context.Process(target=check, args=(inbox, councils, *args), name="lo-audit-link-checker")
    checker.start()
    processes.append(checker)
    # The parent keeps no end: a pipe reads as closed once its worker has exited.
    for reader, writer in pipes:
        reader.close()
        writer.close()
    return processes
