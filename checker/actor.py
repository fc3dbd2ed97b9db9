"""What an actor's guards and actions may touch, the same in both semantics.

An actor is a python-statemachine ``StateMachine`` that also inherits :class:`Actor`. Its guards
and actions read and write its own ``variables`` as attributes, read other instances through
``self.peer(alias)`` (read-only), and talk over channels with ``peek``, ``recv`` and ``emit``.
The explorer runs the same methods against a packed product state (``checker.product``); a live
instance runs them through the library's ``send()`` (``checker.live``). Guards must be pure and
deterministic: the explorer memoises them on the values they read.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

__all__ = ["Actor", "PeerView", "World"]


class PeerView(Protocol):
    """A read-only view of another instance: ``.state`` is its state id; variables read as
    attributes."""

    @property
    def state(self) -> str: ...

    def __getattr__(self, name: str) -> Any: ...


class World(Protocol):
    """What a live actor instance delegates its peer and channel calls to."""

    def peer(self, who: str, alias: str) -> PeerView: ...

    def peers(self, who: str, alias: str) -> tuple[PeerView, ...]: ...

    def peek(self, who: str, port: str) -> Any: ...

    def pending(self, who: str, port: str) -> int: ...

    def recv(self, who: str, port: str) -> Any: ...

    def emit(self, who: str, port: str, msg: Any) -> None: ...

    def drain(self, who: str, port: str) -> None: ...

    def arg(self, who: str, name: str) -> Any: ...


class Actor:
    """Mixin for actor classes: declares ``variables`` and gives guards their view of the system.

    ``variables`` maps each variable of the actor's extended state to its initial value; values
    must be hashable. Per-instance constants (``params`` in the wiring) become plain attributes.
    """

    variables: ClassVar[dict[str, Any]] = {}
    # transitions the plain model never takes on purpose (a variant's hook, a failure point, a
    # row a rendezvous needs for totality): ``"event"`` or ``"source:event"`` -> why; coverage
    # lists them apart, so an unexplained miss stands out
    hooks: ClassVar[dict[str, str]] = {}
    _vf_world: World
    _vf_name: str

    def peer(self, alias: str) -> PeerView:
        """The instance wired to ``alias``, read-only."""
        return self._vf_world.peer(self._vf_name, alias)

    def peers(self, alias: str) -> tuple[PeerView, ...]:
        """The instances wired to ``alias`` (a list alias), read-only, in wiring order."""
        return self._vf_world.peers(self._vf_name, alias)

    def peek(self, port: str) -> Any:
        """The oldest message waiting on ``port``, or None when it is empty."""
        return self._vf_world.peek(self._vf_name, port)

    def pending(self, port: str) -> int:
        """How many messages wait on ``port`` (a guard may ask, e.g. to leave room for a reply)."""
        return self._vf_world.pending(self._vf_name, port)

    def recv(self, port: str) -> Any:
        """Take the oldest message from ``port`` (call it in an action, at most once per step)."""
        return self._vf_world.recv(self._vf_name, port)

    def emit(self, port: str, msg: Any) -> None:
        """Append ``msg`` to the channel behind ``port``; overflowing a bound is an error."""
        self._vf_world.emit(self._vf_name, port, msg)

    def drain(self, port: str) -> None:
        """Discard everything waiting on ``port`` (a closed and re-opened channel loses it)."""
        self._vf_world.drain(self._vf_name, port)

    def arg(self, name: str) -> Any:
        """A value passed by the synchronisation this step belongs to (``System.sync(args=)``)."""
        return self._vf_world.arg(self._vf_name, name)
