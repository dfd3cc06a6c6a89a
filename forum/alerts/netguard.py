"""Where a webhook may be sent: https, and only to public addresses, checked after resolving."""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTarget(Exception):
    """The URL may not be called: wrong scheme, credentials in it, or a non-public address."""


@dataclasses.dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent on the request line


def parse_url(url: str, *, allow_private: bool) -> Target:
    """Check the URL's shape: https (http only when private targets are allowed), a host,
    no user:password part. Literal IP addresses are checked here already."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeTarget("the URL cannot be parsed") from exc
    allowed_schemes = {"https", "http"} if allow_private else {"https"}
    if parts.scheme not in allowed_schemes:
        raise UnsafeTarget("webhook URLs must use https")
    if not parts.hostname:
        raise UnsafeTarget("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget("credentials in webhook URLs are not allowed")
    if any(ord(ch) < 33 for ch in url.strip()):
        raise UnsafeTarget("the URL contains spaces or control characters")
    host = parts.hostname
    literal = _literal_address(host)
    if literal is not None and not allow_private and not is_public_address(literal):
        raise UnsafeTarget(f"{literal} is not a public address")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path)


def is_public_address(address: IPAddress) -> bool:
    """False for loopback, private, link-local, shared, reserved, multicast and unspecified
    addresses, including IPv4 ones wrapped in IPv6 (::ffff:10.0.0.1, 6to4, Teredo)."""
    if isinstance(address, ipaddress.IPv6Address):
        for inner in (
            address.ipv4_mapped,
            address.sixtofour,
            address.teredo[1] if address.teredo else None,
        ):
            if inner is not None and not is_public_address(inner):
                return False
    return bool(
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and not address.is_loopback
        and not address.is_link_local
        and not address.is_private
        and not address.is_unspecified
    )


def _literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


Resolver = Callable[[str, int], list[str]]


def system_resolve(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for host (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def resolve_allowed(
    target: Target, *, allow_private: bool, resolve: Resolver = system_resolve
) -> str:
    """The address to connect to. Every resolved address must be public (unless private ones
    are allowed), so a name that also resolves to an internal address is refused outright.

    Raises UnsafeTarget for a refused address, OSError when the name does not resolve.
    """
    literal = _literal_address(target.host)
    addresses = [str(literal)] if literal is not None else resolve(target.host, target.port)
    if not addresses:
        raise OSError(f"{target.host} has no address")
    if not allow_private:
        for raw in addresses:
            address = ipaddress.ip_address(raw.split("%", 1)[0])
            if not is_public_address(address):
                raise UnsafeTarget(f"{target.host} resolves to {address}, not a public address")
    return addresses[0]
