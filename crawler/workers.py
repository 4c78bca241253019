"""Crawling with several processes (``--workers N``) without breaking per-host politeness.

One Scrapy process tops out at one CPU core. With N workers the councils are shared out
by the host name of their Local Offer, so every council on a host is crawled by the same
process and Scrapy's per-host limits still hold. Link targets on other hosts (gov.uk, NHS,
another council) are a different matter: any worker may find them. Each host therefore has
exactly one *owner* worker: the one crawling a Local Offer on it, otherwise one chosen by a
stable hash of the name. A worker checks the targets on hosts it owns and defers the rest
(``deferred_link_checks``); when every worker has finished, one pass in the parent checks
the deferred targets no worker already checked, each target once. So no host is ever
contacted by two processes at a time, and no target is checked twice.
"""

from __future__ import annotations

import multiprocessing
import zlib
from dataclasses import dataclass

from audit.registry import Council
from audit.urls import host_of


def shard_councils(councils: list[Council], workers: int) -> list[list[Council]]:
    """Councils grouped by Local Offer host; hosts dealt out to the least-loaded worker,
    biggest group first (council counts are all we know before the crawl)."""
    by_host: dict[str, list[Council]] = {}
    for council in councils:
        by_host.setdefault(host_of(council.local_offer_url), []).append(council)
    shards: list[list[Council]] = [[] for _ in range(workers)]
    for host in sorted(by_host, key=lambda h: (-len(by_host[h]), h)):
        min(shards, key=len).extend(by_host[host])
    return shards


@dataclass(frozen=True)
class HostOwnership:
    """Which worker may contact which host."""

    seed_hosts: dict[str, int]  # host of a Local Offer -> the worker crawling it
    workers: int
    me: int

    @classmethod
    def from_shards(cls, shards: list[list[Council]], me: int) -> "HostOwnership":
        hosts = {host_of(c.local_offer_url): i for i, shard in enumerate(shards) for c in shard}
        return cls(hosts, len(shards), me)

    def owns(self, url: str) -> bool:
        host = host_of(url)
        owner = self.seed_hosts.get(host)
        if owner is None:
            owner = zlib.crc32(host.encode("utf-8", "replace")) % self.workers
        return owner == self.me


def start_workers(target, shards: list[list[Council]], *args) -> list[multiprocessing.Process]:
    """One process per non-empty shard, each running ``target(shard, ownership, *args)``.
    Spawned, not forked: each child starts its own Twisted reactor from a clean interpreter."""
    context = multiprocessing.get_context("spawn")
    processes = []
    for i, shard in enumerate(shards):
        if not shard:
            continue
        process = context.Process(target=target, args=(shard, HostOwnership.from_shards(shards, i), *args),
                                  name=f"lo-audit-crawl-worker-{i}")
        process.start()
        processes.append(process)
    return processes
