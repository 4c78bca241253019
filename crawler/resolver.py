"""A DNS resolver that refuses names resolving to private addresses (SSRF rule).

Only used when no proxy is configured: through a proxy the proxy resolves names and the
crawler never looks them up. Names that are themselves seeds of the offline demo or tests
(e.g. ``localhost`` given as a seed) stay allowed.
"""

from __future__ import annotations

from twisted.internet.error import DNSLookupError

from audit.core.urls import is_forbidden_ip, literal_address
from scrapy.resolver import CachingThreadedResolver

PRIVATE_MARKER = "resolves to a private address"


class GuardedResolver(CachingThreadedResolver):
    allowed_names: frozenset[str] = frozenset()
    # Names refused for resolving to a private address; Scrapy rewraps resolver errors
    # without their message, so the spider looks the name up here to say why.
    refused: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler, reactor):
        resolver = super().from_crawler(crawler, reactor)
        resolver.allowed_names = frozenset(crawler.settings.getlist("LO_ALLOWED_PRIVATE_NAMES"))
        return resolver

    def getHostByName(self, name, timeout=()):
        d = super().getHostByName(name, timeout)
        d.addCallback(self._refuse_private, name)
        return d

    def _refuse_private(self, address: str, name: str) -> str:
        if literal_address(name) is not None:
            return address  # literals are judged by PrivateAddressGuard before any lookup
        ip = literal_address(address)
        if ip is not None and is_forbidden_ip(ip) and name.lower() not in self.allowed_names:
            GuardedResolver.refused.add(name.lower().rstrip("."))
            raise DNSLookupError(f"{name} {PRIVATE_MARKER} ({address})")
        return address
