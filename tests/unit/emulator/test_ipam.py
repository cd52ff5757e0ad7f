import pytest

from mirrorctl.emulator.ipam import DEFAULT_POOL, AddressPools, pool_for


def test_an_owner_keeps_its_address_within_a_generation() -> None:
    pools = AddressPools()
    first = pools.allocate(None, "ns.pod.eth0", "uid-1")
    assert pools.allocate(None, "ns.pod.eth0", "uid-1") == first
    assert first.startswith("10.128.")


def test_a_new_generation_gets_a_new_address_and_frees_the_old() -> None:
    pools = AddressPools()
    first = pools.allocate(None, "ns.pod.eth0", "uid-1")
    second = pools.allocate(None, "ns.pod.eth0", "uid-2")
    assert second != first
    # The freed address can be taken again: reserving it for someone else works.
    pools.reserve(None, "other", first, "uid-9")
    assert pools.allocate(None, "other", "uid-9") == first


def test_no_address_is_given_twice() -> None:
    pools = AddressPools()
    addresses = {pools.allocate("ns/blue", f"p{i}", "g") for i in range(2000)}
    assert len(addresses) == 2000
    assert all(a in {str(h) for h in pool_for("ns/blue").hosts()} for a in list(addresses)[:5])


def test_reserved_addresses_are_skipped() -> None:
    pools = AddressPools()
    taken = pools.allocate(None, "a", "1")
    pools.release(None, "a")
    pools.reserve(None, "b", taken, "2")
    assert pools.allocate(None, "a", "1") != taken


@pytest.mark.parametrize("key", [None, "ns/blue"])
def test_gateway_and_broadcast_stay_free(key: str | None) -> None:
    pool = pool_for(key)
    pools = AddressPools()
    for i in range(50):
        address = pools.allocate(key, f"o{i}", "g")
        assert address not in {str(pool.network_address + 1), str(pool.broadcast_address)}
    assert pool_for(None) == DEFAULT_POOL
