"""User space closes and opens the synthetic NIC (``ip link set ethN down|up``) and unloads and
loads its driver (``rmmod``/``modprobe hv_netvsc``).

Expectations come from Linux's netvsc_drv.c, not from the checker: ``netvsc_close`` disables TX,
closes the RNDIS filter and then closes an enslaved VF (``dev_close(vf_netdev)``), whose
NETDEV_GOING_DOWN switches the data path from the VF (``netvsc_vf_changed``); ``netvsc_open``
opens the VF again (``dev_open``); ``__netvsc_vf_setup`` opens a newly joined VF only
``if (netif_running(ndev))``; ``netvsc_remove`` lets an enslaved VF go with
``netvsc_unregister_vf``, which asks the host for no switch [ec158f77def2], and closes the
channel under rtnl; ``netvsc_probe`` registers a VF that is already there [9cae43da9867].
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vfpath.checker.explore import Exploration, explore
from vfpath.checker.explore import Options as ExploreOptions
from vfpath.checker.product import Product
from vfpath.checker.view import StateView
from vfpath.model import Config, build
from vfpath.model.messages import SWITCH, SYNTHETIC

SMALL = {"vms": 1, "vfs": 1, "hosts": 1}


def _edges(guest: str, reconfigure: bool = True) -> tuple[Product, Exploration]:
    product = build(Config(**SMALL, guest=guest, reconfigure=reconfigure)).build()
    ex = explore(product, [], ExploreOptions(graph=True, deadlock=False))
    assert ex.edges is not None
    return product, ex


def _moves(product: Product, ex: Exploration) -> Iterator[tuple[str, StateView, StateView]]:
    assert ex.edges is not None
    for src, dst, m in zip(*ex.edges, strict=True):
        yield (
            product.moves[m].label,
            StateView(product, ex.states[src]),
            StateView(product, ex.states[dst]),
        )


@pytest.mark.parametrize("guest", ["reference", "linux"])
def test_closing_the_nic_on_the_vf_closes_the_vf_and_leaves_it(guest: str) -> None:
    product, ex = _edges(guest)
    taken = 0
    for label, before, after in _moves(product, ex):
        if label != "vm[0].close_nic/vf" or before["netvsc[0]"].state != "on_vf":
            continue
        taken += 1
        assert after["netvsc[0]"].closed
        assert after["vfmp[0]"].link == "down"
        # GOING_DOWN asks the host for the synthetic path and stops using the VF first
        assert after["netvsc[0]"].state == "to_syn"
        assert not after["netvsc[0]"].data_path_is_vf
        assert after.channel("nvsp_g2h[0]")[-1] == (SWITCH, SYNTHETIC)
    assert taken


@pytest.mark.parametrize("guest", ["reference", "linux"])
def test_a_vf_joined_to_a_closed_nic_opens_only_with_the_nic(guest: str) -> None:
    product, ex = _edges(guest)
    opened_with_nic = 0
    for label, before, after in _moves(product, ex):
        if before["netvsc[0]"].closed:
            assert label != "vfmp[0].takeover", "netvsc_vf_setup opened a VF of a closed NIC"
        if label == "vm[0].open_nic/vf":
            assert before["vfmp[0]"].link != "up" and after["vfmp[0]"].link == "up"
            assert not after["netvsc[0]"].closed
            opened_with_nic += before["vfmp[0]"].link == "new"
        if label == "vm[0].open_nic":
            # no enslaved VF to open, or it is already open
            assert after["vfmp[0]"].link == before["vfmp[0]"].link
    assert opened_with_nic, "a VF joined while the NIC was closed never opens with it"


def test_a_closed_nic_sends_nothing() -> None:
    """The linux guest loses packets on an unswitched VF (S8); a closed NIC sends none."""
    product, ex = _edges("linux")
    sends = [
        before["netvsc[0]"].closed
        for label, before, _ in _moves(product, ex)
        if label == "netvsc[0].send_packet"
    ]
    assert sends and not any(sends)


@pytest.mark.parametrize("guest", ["reference", "linux"])
def test_without_reconfigure_the_nic_stays_open(guest: str) -> None:
    product, ex = _edges(guest, reconfigure=False)
    assert ex.edges is not None
    labels = {product.moves[m].label for m in ex.edges[2]}
    assert not {label for label in labels if "_nic" in label}
    assert not any(StateView(product, s)["netvsc[0]"].closed for s in ex.states)


@pytest.mark.parametrize("guest", ["reference", "linux"])
def test_unloading_hv_netvsc_lets_the_vf_go_without_a_switch(guest: str) -> None:
    product, ex = _edges(guest)
    from_vf = 0
    for label, before, after in _moves(product, ex):
        if label != "vm[0].unload_netvsc":
            continue
        assert after["netvsc[0]"].state == "unloading"
        assert before["binding[0]"].state in ("running", "unbound")
        assert after["binding[0]"].state == "unbound"
        # the VF netdev stays registered and as open as it was; nothing is asked of the host
        assert after["vfmp[0]"].state == before["vfmp[0]"].state
        assert after["vfmp[0]"].link == before["vfmp[0]"].link
        assert not after.channel("nvsp_g2h[0]")
        from_vf += before["netvsc[0]"].state == "on_vf"
    assert from_vf


@pytest.mark.parametrize("guest", ["reference", "linux"])
def test_netvsc_remove_holds_rtnl_until_the_host_closed_the_channel(guest: str) -> None:
    product, ex = _edges(guest)
    ended = 0
    for label, before, after in _moves(product, ex):
        if before["netvsc[0]"].state == "unloading":
            # a VF going down needs rtnl (NETDEV_GOING_DOWN reaches NetVSC in its handler)
            assert label.split(".")[-1].split("/")[0] not in (
                "eject",
                "link_down",
                "surprise_removed",
                "unload",
            ), label
        if label == "netvsc[0].unloaded":
            ended += 1
            assert before["netvsp[0]"].state == "unavailable"
            # the netdev and its context are freed
            n = after["netvsc[0]"]
            assert (n.state, n.vf_alloc, n.vf_serial, n.data_path_is_vf) == (
                "down",
                False,
                0,
                False,
            )
    assert ended


@pytest.mark.parametrize("guest", ["reference", "linux"])
def test_a_reloaded_hv_netvsc_takes_the_vf_that_stayed(guest: str) -> None:
    """From a reload with the VF still running, the VF is enslaved again with no new PCI offer
    and no driver reprobe of the VF (9cae43da9867)."""
    product, ex = _edges(guest)
    assert ex.edges is not None
    out: dict[int, list[tuple[str, int]]] = {}
    for src, dst, m in zip(*ex.edges, strict=True):
        out.setdefault(src, []).append((product.moves[m].label, dst))
    starts = [
        dst
        for src, dst, m in zip(*ex.edges, strict=True)
        if product.moves[m].label == "vm[0].reload_netvsc"
        and StateView(product, ex.states[src])["vfmp[0]"].state == "running"
    ]
    assert starts
    seen, todo, rebound = set(starts), list(starts), False
    while todo and not rebound:
        for label, dst in out.get(todo.pop(), []):
            if label == "binding[0].bind":
                rebound = True
            elif dst not in seen and not label.startswith("vfmp[0]."):
                seen.add(dst)
                todo.append(dst)
    assert rebound
