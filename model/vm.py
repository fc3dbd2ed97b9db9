"""The VM as seen by the environment: start, stop, live migration, hibernation.

The environment is an actor so that every scenario of SRIOV.md is reachable from the initial
state (DESIGN.md). The host a VM runs on is its ``host`` variable; live migration moves it.
"""

from __future__ import annotations

from typing import Any

from statemachine import State, StateMachine

from vfpath.checker.actor import Actor

from .netvsc import HOST_SILENT

__all__ = ["VM"]


class VM(Actor, StateMachine):
    """A child partition's lifecycle [MS-OV, MS-FO, B1, B7, B9]."""

    variables = {"host": 0}
    hosts = 1  # per instance: how many hosts exist (wiring params)
    reconfigures = False  # wiring params: whether user space may reconfigure the NIC

    sources = {
        "start": "MS-OV, MS-VSWST (B1: the stack starts NetVSC when the partition starts)",
        "migrate": "MS-OV, MS-FO, AZ-AN (B7: the VF is detached first, then the VM moves)",
        "hibernate": "de214e52de1b (B9.2: guest hibernation)",
        "hibernation_done": "de214e52de1b (B9.2: netvsc_suspend has closed the channel)",
        "resume": "de214e52de1b (B9.2: resume)",
        "stop": "MS-VSWST, MS-ALLOC (B9.4: VM stop)",
        "reconfigure": "LX-DRV netvsc_change_mtu, netvsc_set_channels, netvsc_set_ringparam "
        "(user space, under rtnl): the synthetic NIC's channel is closed and reopened",
        "close_nic": "LX-DRV netvsc_close: user space closes the synthetic NIC (ip link set "
        "ethN down; a network manager); a rendezvous with NetVSC (and the VF's link)",
        "open_nic": "LX-DRV netvsc_open: user space opens it again (ip link set ethN up)",
        "unload_netvsc": "ec158f77def2: user space unloads hv_netvsc (rmmod) with a VF present",
        "reload_netvsc": "9cae43da9867: user space loads hv_netvsc again (modprobe)",
        "stopped": "MS-VSWST, MS-ALLOC (B9.4: VF torn down and NetVSC removed first)",
    }

    hooks = {
        **dict.fromkeys(
            ("reconfigure", "close_nic", "open_nic", "unload_netvsc", "reload_netvsc"),
            "only where user space may reconfigure the NIC (Config.reconfigure, "
            "vfpath check --reconfigure; conform's configuration)",
        ),
    }

    off = State(initial=True)
    running = State()
    hibernating = State()
    hibernated = State()
    stopping = State()

    start = off.to(running, cond="switches_created")
    migrate = running.to.itself(cond="may_migrate", on="move_to_other_host")
    hibernate = running.to(hibernating, cond="guest_idle")
    hibernation_done = hibernating.to(hibernated, cond="guest_suspended")
    resume = hibernated.to(running)
    stop = running.to(stopping, cond="host_quiet")
    # user space reconfigures the synthetic NIC (MTU, channels, rings): a rendezvous with
    # NetVSC's channel reopen; a choice of the environment, so not fair
    reconfigure = running.to.itself(cond="may_reconfigure")
    # user space closes and opens the synthetic NIC (a choice of the environment, not fair)
    close_nic = running.to.itself(cond="may_close_nic")
    open_nic = running.to.itself(cond="may_open_nic")
    # user space unloads and loads the synthetic NIC's driver (not fair either)
    unload_netvsc = running.to.itself(cond="may_unload_netvsc")
    reload_netvsc = running.to.itself(cond="may_reload_netvsc")
    stopped = stopping.to(off, cond="guest_gone")

    def every(self, kind: str, states: tuple[str, ...]) -> bool:
        """Every synthetic NIC's ``kind`` actor is in one of ``states``: the VM's lifecycle
        steps wait for all of its NICs."""
        return all(p.state in states for p in self.peers(f"{kind}s"))

    def nic_netvsc(self) -> Any:
        """The NetVSC user space's commands act on: the VM's one NIC where user space may
        reconfigure it (Config refuses several)."""
        return self.peers("netvscs")[0]

    def switches_created(self) -> bool:
        """NDIS creates each PF's NIC switch at boot, before any VM starts [MS-VFINIT B2.1]."""
        return all(nic.state == "ready" for nic in self.peers("nics"))

    def guest_idle(self) -> bool:
        """A guest hibernates with its drivers loaded and no data-path change under way (S4 is
        guest-initiated) [de214e52de1b]; the VF may stay attached, as mlx5's does.

        Abstraction (inferred): hibernation starts only between host-side VF operations.
        """
        return (
            self.every("netvsc", ("synthetic", "on_vf"))
            and self.every("vmstack", ("no_vf", "offered"))
            and self.every("vfmp", ("absent", "running"))
        )

    def may_reconfigure(self) -> bool:
        """ip link set mtu / ethtool -L / ethtool -G take rtnl, so they wait for a switch in
        flight; NetVSC is then synthetic or on the VF [LX-DRV netvsc_change_mtu]. Only in a
        configuration that lets user space reconfigure (``Config.reconfigure``)."""
        return bool(self.reconfigures) and self.nic_netvsc().state in ("synthetic", "on_vf")

    def may_close_nic(self) -> bool:
        """Only where user space may reconfigure the NIC (``Config.reconfigure``); NetVSC's
        rows say in which of its states (rtnl is free)."""
        return bool(self.reconfigures) and not self.nic_netvsc().closed

    def may_open_nic(self) -> bool:
        return bool(self.reconfigures) and bool(self.nic_netvsc().closed)

    def may_unload_netvsc(self) -> bool:
        """rmmod takes rtnl in netvsc_remove, so it waits for a switch in flight (NetVSC's rows
        say where); only where user space may reconfigure the NIC."""
        return bool(self.reconfigures) and self.nic_netvsc().state in ("synthetic", "on_vf")

    def may_reload_netvsc(self) -> bool:
        return bool(self.reconfigures) and self.nic_netvsc().state == "down"

    def host_quiet(self) -> bool:
        """The stack detaches the VF before it stops the VM [B9.4, MS-ALLOC] (the detach itself
        is the stack's own step, so a stop starts once no VF is attached; inferred)."""
        return self.every("vmstack", ("no_vf",)) and self.every("vfmp", ("absent",))

    def may_migrate(self) -> bool:
        """B7.1-2: the source host has run B6 (no VF, NetVSP back to no VF [OVMM]); the
        synthetic NIC's channel moves with the VM. The detach is the stack's own step, so the
        migration itself is one step once no VF is attached (abstraction; inferred)."""
        return (
            self.hosts > 1
            and self.every("vmstack", ("no_vf",))
            and self.every("vfmp", ("absent",))
            and self.every("netvsp", ("unavailable",))
        )

    def move_to_other_host(self) -> None:
        self.host = (self.host + 1) % self.hosts

    def guest_suspended(self) -> bool:
        return self.every("netvsc", ("suspended",)) and self.every("netvsp", HOST_SILENT)

    def guest_gone(self) -> bool:
        """B9.4: the VF is freed and NetVSC removed before the VM is off [MS-ALLOC, MS-VSWST]."""
        return (
            self.every("vmstack", ("no_vf",))
            and self.every("netvsc", ("down",))
            and self.every("netvsp", ("unavailable",))
            and self.every("vfmp", ("absent",))
        )
