"""Per-network IPv4 pools for the emulator: stable addresses, never two owners for one."""

from __future__ import annotations

import hashlib
import ipaddress

__all__ = ["AddressPools", "pool_for"]

DEFAULT_POOL = ipaddress.IPv4Network("10.128.0.0/16")
# Secondary networks get a /16 each out of 10.64.0.0/10, picked by a hash of their key.
_SECONDARY_SPACE = ipaddress.IPv4Network("10.64.0.0/10")


def pool_for(network_key: str | None) -> ipaddress.IPv4Network:
    if network_key is None:
        return DEFAULT_POOL
    slot = int.from_bytes(hashlib.sha1(network_key.encode()).digest()[:2], "big") % 64
    return list(_SECONDARY_SPACE.subnets(new_prefix=16))[slot]


class AddressPools:
    """Allocates host addresses per network; the same owner always gets the same address."""

    def __init__(self) -> None:
        self._by_owner: dict[tuple[str | None, str], str] = {}
        self._taken: dict[str | None, set[str]] = {}

    def reserve(self, network_key: str | None, owner: str, address: str) -> None:
        self._by_owner[(network_key, owner)] = address
        self._taken.setdefault(network_key, set()).add(address)

    def allocate(self, network_key: str | None, owner: str) -> str:
        known = self._by_owner.get((network_key, owner))
        if known is not None:
            return known
        pool = pool_for(network_key)
        taken = self._taken.setdefault(network_key, set())
        # Start from a hash of the owner so addresses stay put across emulator restarts.
        size = pool.num_addresses - 3  # network, gateway (.1) and broadcast stay free
        start = int.from_bytes(hashlib.sha1(owner.encode()).digest()[:4], "big") % size
        for step in range(size):
            candidate = str(pool.network_address + 2 + (start + step) % size)
            if candidate not in taken:
                self.reserve(network_key, owner, candidate)
                return candidate
        raise RuntimeError(f"address pool {pool} of network {network_key or 'default'} is full")

    def release(self, network_key: str | None, owner: str) -> None:
        address = self._by_owner.pop((network_key, owner), None)
        if address is not None:
            self._taken.get(network_key, set()).discard(address)
