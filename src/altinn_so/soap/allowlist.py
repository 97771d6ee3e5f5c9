"""Endpoints that only some addresses may call: Altinn let only registered IP addresses reach its
``/AuthorizationExternal/`` services (the administration and the decision point). The emulator keeps that rule with
an allow-list (``serve --authorization-allow``); the default allows loopback only (docs/behaviour/authorization.md,
"Who may call").

A refused caller gets HTTP 403 with a SOAP fault whose AltinnFault has ErrorID 5, not authorized (D130).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

LOOPBACK: tuple[Network, ...] = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
AUTHORIZATION_AREA = "/AuthorizationExternal/"


def networks(texts: Iterable[str]) -> tuple[Network, ...]:
    """CIDR blocks (``10.0.0.0/8``, ``::1/128``) or single addresses; ValueError names one that is neither."""
    found = []
    for text in texts:
        try:
            found.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{text!r} is not an IP address or CIDR block") from None
    return tuple(found)


@dataclass(frozen=True)
class AddressRestriction:
    """The addresses that may call the endpoints whose path starts with ``prefix`` (compared case-insensitively,
    as IIS compares paths)."""

    prefix: str
    allowed: tuple[Network, ...]

    def applies_to(self, path: str) -> bool:
        return path.lower().startswith(self.prefix.lower())

    def allows(self, address: str | None) -> bool:
        try:
            ip = ipaddress.ip_address((address or "").split("%", 1)[0])
        except ValueError:
            return False  # no address we can read (a Unix socket, a broken proxy header): not on any list
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped  # a dual-stack socket reports IPv4 callers as ::ffff:a.b.c.d
        return any(ip.version == network.version and ip in network for network in self.allowed)


def authorization_restriction(allowed: Iterable[str] | None = None) -> AddressRestriction:
    """The allow-list of ``/AuthorizationExternal/``: the given blocks, or loopback when none are given."""
    given = networks(allowed or ())
    return AddressRestriction(AUTHORIZATION_AREA, given or LOOPBACK)


def refusal(restrictions: Iterable[AddressRestriction], path: str, address: str | None) -> str | None:
    """Why ``address`` may not call ``path`` (the fault's message), or None when it may."""
    for restriction in restrictions:
        if restriction.applies_to(path) and not restriction.allows(address):
            return (f"The caller's address {address or '(unknown)'} is not allowed to use {restriction.prefix} "
                    "endpoints (the emulator's --authorization-allow list).")
    return None
