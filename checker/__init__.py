"""vfpath.checker: a generic explicit-state model checker for python-statemachine actors.

It knows nothing of SR-IOV. Build a :class:`System` of actor instances, channels and
synchronisations; :func:`check` explores it breadth first and judges its properties.
"""

from .actor import Actor
from .check import check
from .errors import DefinitionError, LimitError, VfpathError, WiringError
from .explore import Options
from .properties import AllOf, AnyOf, Expectation, Fairness, Mirror, Property
from .result import CheckResult, PropertyResult, Stats, Status, Step, Trace
from .symmetry import Perm, Sort, Symmetry
from .system import System

__all__ = [
    "Actor",
    "AllOf",
    "AnyOf",
    "CheckResult",
    "DefinitionError",
    "Expectation",
    "Fairness",
    "LimitError",
    "Mirror",
    "Options",
    "Perm",
    "Property",
    "PropertyResult",
    "Sort",
    "Stats",
    "Status",
    "Step",
    "Symmetry",
    "System",
    "Trace",
    "VfpathError",
    "WiringError",
    "check",
]
