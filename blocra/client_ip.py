"""The client's IP address: X-Forwarded-For is believed only when the direct peer is a trusted proxy.

`TRUSTED_PROXIES` lists the proxies in front of the app (networks or single addresses, and `unix`
for a peer on a Unix socket, which only a process of this machine can be). When the peer is one of
them, the X-Forwarded-For chain is read from the right: each trusted proxy appended the address it
received the request from, so the first entry that is not itself a trusted proxy is the client, and
anything left of it may be forged. An entry that is not an address stops the walk at the last address
known. A peer that is not a trusted proxy is the client, whatever headers it sends.
"""

import functools
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

# Stands for "no address known" (e.g. a Unix-socket peer); never stored as a client's address.
UNKNOWN_IP = "0.0.0.0"  # noqa: S104 - an address value, not a bind
# The TRUSTED_PROXIES entry for a peer on a Unix socket (gunicorn leaves REMOTE_ADDR empty then).
UNIX_SOCKET = "unix"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    networks: tuple[Network, ...]
    unix_socket: bool

    def trusts(self, address: Address) -> bool:
        return any(address in network for network in self.networks)


def parse_trusted_proxies(entries: Iterable[str]) -> TrustedProxies:
    """`["127.0.0.1/32", "10.0.0.0/8", "::1", "unix"]`: networks (a bare address is a network of one)
    and `unix`. Raises ValueError naming an entry that is neither (host bits set count as an error)."""
    networks: list[Network] = []
    unix_socket = False
    for raw in entries:
        entry = raw.strip()
        if entry.lower() == UNIX_SOCKET:
            unix_socket = True
            continue
        try:
            networks.append(ipaddress.ip_network(entry))
        except ValueError:
            raise ValueError(
                f"{entry!r} is not an address, a network like 10.0.0.0/8 (no host bits set), or {UNIX_SOCKET!r}."
            ) from None
    return TrustedProxies(networks=tuple(networks), unix_socket=unix_socket)


@functools.lru_cache(maxsize=8)
def _trusted_proxies(entries: tuple[str, ...]) -> TrustedProxies:
    return parse_trusted_proxies(entries)


@functools.lru_cache(maxsize=4096)
def parse_address(value: str) -> Address | None:
    """An address as a peer or a proxy writes it: IPv4 or IPv6, with or without a port (`1.2.3.4:80`,
    `[2001:db8::1]:443`); an IPv4-mapped IPv6 address is its IPv4 address, a zone is dropped. None
    when `value` is not an address. Memoized (addresses are immutable): every request asks several
    times, and parsing costs more than the rest of the middleware's work on it."""
    text = value.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def peer_is_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the direct peer is one of TRUSTED_PROXIES: only then do its X-Forwarded-* headers mean
    anything (a Unix-socket peer, whose REMOTE_ADDR is empty, counts when `unix` is listed)."""
    return _peer_trusted(request.META.get("REMOTE_ADDR", "") or "", tuple(settings.TRUSTED_PROXIES))


def client_ip(request: HttpRequest) -> str:
    """The address of the client (`UNKNOWN_IP` when none can be told), following X-Forwarded-For only
    from a trusted proxy and only as far as trusted proxies reach."""
    return _client_ip(
        request.META.get("REMOTE_ADDR", "") or "",
        request.META.get("HTTP_X_FORWARDED_FOR", ""),
        tuple(settings.TRUSTED_PROXIES),
    )


def client_ip_of(remote: str, forwarded: str) -> str:
    """`client_ip` of a connection that is no Django request (a WebSocket's ASGI scope): its peer's
    address and its X-Forwarded-For header."""
    return _client_ip(remote, forwarded, tuple(settings.TRUSTED_PROXIES))


# Pure functions of the peer, the header and the setting, memoized (bounded: a client may send any
# X-Forwarded-For, which costs it a cache slot at most).
@functools.lru_cache(maxsize=4096)
def _peer_trusted(remote: str, entries: tuple[str, ...]) -> bool:
    trusted = _trusted_proxies(entries)
    if not remote:
        return trusted.unix_socket
    peer = parse_address(remote)
    return peer is not None and trusted.trusts(peer)


@functools.lru_cache(maxsize=4096)
def _client_ip(remote: str, forwarded: str, entries: tuple[str, ...]) -> str:
    trusted = _trusted_proxies(entries)
    peer = parse_address(remote) if remote else None
    if remote and peer is None:
        return UNKNOWN_IP
    client = str(peer) if peer is not None else UNKNOWN_IP
    if not _peer_trusted(remote, entries):
        return client
    for entry in reversed(forwarded.split(",")):
        if not entry.strip():
            continue
        address = parse_address(entry)
        if address is None:
            break
        client = str(address)
        if not trusted.trusts(address):
            break
    return client
