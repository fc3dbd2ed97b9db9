"""The exception family: one base, a few subclasses that carry their data."""

from __future__ import annotations

__all__ = ["DefinitionError", "FingerprintRefused", "LimitError", "VfpathError", "WiringError"]


class VfpathError(Exception):
    """Base of every error vfpath raises on purpose (bad model, bad input, bad wiring)."""


class DefinitionError(VfpathError):
    """An actor class cannot be compiled; the message names the class and the offender."""


class WiringError(VfpathError):
    """A system's instances, channels or synchronisations do not fit together."""


class LimitError(VfpathError):
    """A resource limit was given a value it cannot take."""


class FingerprintRefused(VfpathError):
    """Fingerprint mode was asked for something it cannot do exactly (liveness, a graph, every
    state decoded); the message says what and what to do instead."""


class PropertyError(VfpathError):
    """A property reads an instance or variable the system does not have (names the property)."""


class UnknownName(VfpathError, AttributeError):
    """A view was asked for an instance or variable that does not exist; an AttributeError too,
    so ``getattr(view, name, default)`` still works."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
