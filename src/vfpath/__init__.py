"""vfpath: an executable model of the Hyper-V SR-IOV network data paths, and its checker.

The public API is deliberately small; everything else lives in named submodules
(``vfpath.checker``, ``vfpath.model``, ``vfpath.properties``).
"""

from vfpath.api import Config, Oracle, build_system, check_config

__all__ = ["Config", "Oracle", "build_system", "check_config"]
__version__ = "0.1.0"
