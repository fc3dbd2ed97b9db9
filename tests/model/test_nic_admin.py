"""User space closes and opens the synthetic NIC (``ip link set ethN down|up``).

Expectations come from Linux's netvsc_drv.c, not from the checker: ``netvsc_close`` disables TX,
closes the RNDIS filter and then closes an enslaved VF (``dev_close(vf_netdev)``), whose
NETDEV_GOING_DOWN switches the data path from the VF (``netvsc_vf_changed``); ``netvsc_open``
opens the VF again (``dev_open``); ``__netvsc_vf_setup`` opens a newly joined VF only
``if (netif_running(ndev))``.
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
