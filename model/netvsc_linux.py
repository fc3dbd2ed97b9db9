"""NetVSC as Linux's ``hv_netvsc`` runs it upstream today, where it differs from the design.

Read from drivers/net/hyperv/netvsc.c and netvsc_drv.c of torvalds/linux (v6.x; the functions
are named at each method). Two differences from the documented guest change what the host and
the guest believe about the data path:

- ``netvsc_switch_datapath`` sends SWITCH_DATA_PATH, waits for the VMBus completion
  (``wait_for_completion(&nv_dev->channel_init_wait)``), then sets ``data_path_is_vf = vf``
  unconditionally: the completion carries no status that the driver reads. "Data path failed to
  switch" is printed only when the send itself fails (d0922bf79817), which the model's VMBus
  sends do only when a variant switches the ``vmbus-send`` failure point on (model/failures.py).
  So a host that stays synthetic is not noticed.
- ``netvsc_receive_inband`` handles only the indirection table and the VF association; an
  unsolicited SWITCH_DATA_PATH(SYNTHETIC) from the host is read and dropped.
"""

from __future__ import annotations

from .messages import DONE, VF
from .netvsc import NetVSC

__all__ = ["LinuxNetVSC"]


class LinuxNetVSC(NetVSC):
    """hv_netvsc upstream (Linux 6.x) [LX-DRV; the commits cited per method]."""

    reads_completion_status = False
    # netvsc_suspend no longer unregisters the VF: mlx5 keeps its netdev across hibernation, and
    # netvsc_resume leaves vf_alloc and vf_serial as they were [19162fd4063a]; the switch back
    # comes from the VF's NETDEV_CHANGE after resume (netvsc_vf_changed; de214e52de1b), with the
    # cache reset by netvsc_resume [da26658c3d70]
    keeps_vf_across_hibernation = True
    sources = {
        **NetVSC.sources,
        "vf_switched": "LX-DRV netvsc_switch_datapath (8b31f8c982b7, d0922bf79817): after the "
        "completion, data_path_is_vf = vf whatever the host did",
        "vf_switch_failed": "never taken: the completion has no status Linux reads "
        "(netvsc_switch_datapath)",
        "syn_switched": "LX-DRV netvsc_switch_datapath: 'Data path switched from VF' after any "
        "completion",
        "host_to_synthetic": "LX-DRV netvsc_receive_inband: SWITCH_DATA_PATH from the host is "
        "not handled (only SEND_VF_ASSOCIATION and the indirection table); the packet is dropped",
        "suspend": "19162fd4063a netvsc_suspend: netvsc_detach closes the channel; the VF stays "
        "registered and enslaved (no netvsc_unregister_vf)",
        "reattach": "7b2ee50c0cd5 netvsc_attach (after netvsc_change_mtu's netvsc_detach): "
        "data_path_is_vf, vf_alloc and vf_serial are left as they were",
        "resume": "19162fd4063a, da26658c3d70 netvsc_resume: data_path_is_vf = false, then "
        "netvsc_attach; vf_alloc and vf_serial are kept",
        "switch_to_vf": "de214e52de1b netvsc_netdev_event: NETDEV_UP/CHANGE -> netvsc_vf_changed "
        "(also the VF's NETDEV_CHANGE after resume); waits for vf_add only if !vf_alloc "
        "(365e1ececb29), which a resumed guest still has from before hibernation",
    }

    def vf_ok_waiting(self) -> bool:
        """Any completion of the VF request ends the wait as a success (netvsc_switch_datapath)."""
        msg = self.peek("from_host")
        return msg is not None and msg[0] == DONE and msg[1] == VF

    def vf_fail_waiting(self) -> bool:
        return False

    def data_path_after_reopen(self) -> bool:
        """netvsc_detach/netvsc_attach leave data_path_is_vf as it was (only netvsc_resume
        resets it, da26658c3d70), and no netdev event follows that would switch again:
        netvsc_change_mtu changes the VF's MTU first (dev_set_mtu), then reopens."""
        return bool(self.data_path_is_vf)

    def obeys_host_notice(self) -> bool:
        """netvsc_receive_inband ignores the host's SWITCH_DATA_PATH(SYNTHETIC)."""
        return False
