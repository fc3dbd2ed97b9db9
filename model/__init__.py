"""vfpath.model: the SR-IOV actors and how they are wired together (placeholder until it lands)."""

from __future__ import annotations

from dataclasses import dataclass

from vfpath.checker import System
from vfpath.checker.errors import VfpathError

__all__ = ["Config", "build"]


@dataclass(frozen=True)
class Config:
    """A configuration: VMs, VFs per host, hosts."""

    vms: int = 2
    vfs: int = 1
    hosts: int = 2

    def __post_init__(self) -> None:
        for field, value, lo in (("vms", self.vms, 1), ("vfs", self.vfs, 0), ("hosts", self.hosts, 1)):
            if not isinstance(value, int) or value < lo:
                raise VfpathError(f"{field} must be an integer >= {lo}, got {value!r}")


def build(config: Config) -> System:
    """Placeholder: the real model replaces this."""
    raise VfpathError("the SR-IOV model has not landed yet")
