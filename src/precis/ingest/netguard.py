"""Which network addresses precis may connect to, enforced at connect time.

Fetching arbitrary URLs from a server is a classic way into its private network
(server-side request forgery). The check happens where the socket is opened: the host
name is resolved once, every address it resolves to is checked, and the connection goes
to a checked address, so a DNS answer that changes between a check and the connection
(DNS rebinding) cannot slip a private address through. Redirects are followed by
``fetch.py`` one hop at a time, so every hop passes through here too.

Hand-written because httpx has no such hook beyond the network backend of httpcore.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlockedAddress(Exception):
    """A connection to a non-public address that the allow-list does not permit."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"{host}: {reason}")
        self.host = host
        self.reason = reason


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Public addresses are allowed; others only when allow-listed by name or range."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AddressPolicy:
        """``entries`` are host names, addresses or CIDR ranges (``PRECIS_FETCH_ALLOW``)."""
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in entries:
            value = entry.strip().strip("[]").lower()
            if not value:
                continue
            try:
                networks.append(ipaddress.ip_network(value, strict=False))
            except ValueError:
                hosts.add(value.rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def host_allowed(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.hosts

    def address_allowed(self, address: IPAddress) -> bool:
        if any(address in network for network in self.networks):
            return True
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            return self.address_allowed(address.ipv4_mapped)
        return address.is_global and not address.is_multicast

    def resolve(self, host: str, port: int) -> list[str]:
        """The addresses of ``host`` to connect to; raises ``BlockedAddress`` if any is refused.

        One refused address refuses the host: a name that mixes public and private
        answers is either misconfigured or an attack.
        """
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise BlockedAddress(host, f"cannot be resolved ({exc})") from exc
        addresses: list[str] = []
        trusted_name = self.host_allowed(host)
        for info in infos:
            text = str(info[4][0]).split("%", 1)[0]
            address = ipaddress.ip_address(text)
            if not trusted_name and not self.address_allowed(address):
                raise BlockedAddress(
                    host,
                    f"resolves to the non-public address {address}; "
                    "add it to PRECIS_FETCH_ALLOW to permit it",
                )
            if text not in addresses:
                addresses.append(text)
        if not addresses:
            raise BlockedAddress(host, "resolves to no address")
        return addresses


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's network backend, connecting only to addresses the policy accepts."""

    def __init__(self, policy: AddressPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last_error: Exception | None = None
        for address in self._policy.resolve(host, port):
            try:
                # The checked address itself, not the name: no second DNS lookup.
                # TLS still verifies the certificate against the URL's host name.
                return self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise BlockedAddress(path, "unix sockets are never fetched")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` whose connection pool uses ``GuardedBackend``.

    httpx does not take a network backend, so the pool it builds is replaced by an
    identical one that does (``_pool`` is the attribute httpx's own methods use).
    """

    def __init__(self, policy: AddressPolicy, *, max_connections: int = 100) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(policy),
        )
