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
    """Allocates host addresses per network.

    An owner (an InstanceIP name) keeps its address for as long as its generation (the pod's
    uid) stays the same; a pod recreated under the same name gets a fresh address, as a real
    CNI would give it, and the old one returns to the pool.
    """

    def __init__(self) -> None:
        self._by_owner: dict[tuple[str | None, str], tuple[str, str]] = {}
        self._taken: dict[str | None, set[str]] = {}

    def reserve(self, network_key: str | None, owner: str, address: str, generation: str) -> None:
        self.release(network_key, owner)
        self._by_owner[(network_key, owner)] = (generation, address)
        self._taken.setdefault(network_key, set()).add(address)

    def allocate(self, network_key: str | None, owner: str, generation: str) -> str:
        known = self._by_owner.get((network_key, owner))
        if known is not None and known[0] == generation:
            return known[1]
        self.release(network_key, owner)
        pool = pool_for(network_key)
        taken = self._taken.setdefault(network_key, set())
        # Start from a hash so addresses stay put across emulator restarts.
        size = pool.num_addresses - 3  # network, gateway (.1) and broadcast stay free
        seed = hashlib.sha1(f"{owner}/{generation}".encode()).digest()[:4]
        start = int.from_bytes(seed, "big") % size
        for step in range(size):
            candidate = str(pool.network_address + 2 + (start + step) % size)
            if candidate not in taken:
                self.reserve(network_key, owner, candidate, generation)
                return candidate
        raise RuntimeError(f"address pool {pool} of network {network_key or 'default'} is full")

    def release(self, network_key: str | None, owner: str) -> None:
        known = self._by_owner.pop((network_key, owner), None)
        if known is not None:
            self._taken.get(network_key, set()).discard(known[1])
