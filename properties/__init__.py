"""vfpath.properties: named safety and liveness properties of the SR-IOV model (placeholder)."""

from __future__ import annotations

from vfpath.checker import Property
from vfpath.model import Config

__all__ = ["properties_for"]


def properties_for(config: Config) -> list[Property]:
    """Placeholder: the real properties replace this."""
    return []
