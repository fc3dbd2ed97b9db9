"""Per-VM liveness takes VM 0's verdict for another VM only while the VMs are interchangeable.

Independent oracle: the same property checked on its own (the mirror declaration removed).
"""

from __future__ import annotations

import dataclasses

from vfpath.api import build_system
from vfpath.checker import Status, check
from vfpath.model import Config
from vfpath.model.variants import VMStackNoTimeout


def test_a_variant_of_one_vm_has_its_liveness_checked_on_its_own() -> None:
    sysm = build_system(Config(2, 1, 1)).replace({"vmstack[1]": VMStackNoTimeout})
    result = check(sysm)
    assert result["L3-detach-terminates[vm0]"].status is Status.HOLDS
    vm1 = result["L3-detach-terminates[vm1]"]
    assert vm1.status is Status.VIOLATED
    assert vm1.counterexample is not None and vm1.counterexample.loop_start is not None


def test_interchangeable_vms_share_the_verdict_and_it_is_the_true_one() -> None:
    sysm = build_system(Config(2, 1, 1))
    result = check(sysm)
    shared = [p for p in result.properties if p.name.endswith("[vm1]")]
    assert shared and all("by symmetry" in p.note for p in shared)
    # the oracle: each VM 1 property checked on its own, without the mirror declaration
    own = [dataclasses.replace(p, mirror=None) for p in sysm.properties if p.mirror is not None]
    alone = check(sysm.with_properties(own))
    assert [(p.name, p.status) for p in shared] == [
        (p.name, p.status) for p in alone.properties if p.name.endswith("[vm1]")
    ]
