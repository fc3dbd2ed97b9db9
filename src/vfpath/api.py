"""The thin public API that joins the SR-IOV model, its properties and the checker."""

from __future__ import annotations

from vfpath.checker import CheckResult, Options, System, check
from vfpath.model import Config
from vfpath.model import build as build_model
from vfpath.model.observe import sriov_oracle as Oracle
from vfpath.properties import NOT_MODELLED, properties_for

__all__ = ["Config", "Oracle", "build_system", "check_config"]


def build_system(config: Config | None = None) -> System:
    """The SR-IOV system of ``config`` (default: 2 VMs, 1 VF, 2 hosts) with every property."""
    config = config or Config()
    system = build_model(config)
    system.properties.extend(properties_for(config))
    system.meta["not_modelled"] = dict(NOT_MODELLED)
    return system


def check_config(config: Config | None = None, options: Options | None = None) -> CheckResult:
    """Explore ``config`` exhaustively and judge every property."""
    return check(build_system(config), options or Options())
