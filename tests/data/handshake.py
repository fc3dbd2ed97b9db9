"""A domain-free handshake for the oracle's tests: a client may go "fast" only once granted.

The client asks over a channel, a server grants over another (a silent step: no observer sees
it), and only then does the client set ``fast``. An implementation that sets ``fast`` when it
asks is the generic shape of "transmits on the VF before the host confirmed the switch".
Loaded by file path (``--model tests/data/handshake.py:system``), so it imports only vfpath.
"""

from __future__ import annotations

from statemachine import State, StateMachine

from vfpath.checker import System
from vfpath.checker.actor import Actor

OBSERVABLE = {"client.request": "request", "client.granted": "granted", "client.release": "release"}


class Client(Actor, StateMachine):
    """Asks, waits for the grant, goes fast, releases."""

    variables = {"fast": False}

    slow = State(initial=True)
    asking = State()
    fast_path = State()

    request = slow.to(asking, on="ask")
    granted = asking.to(fast_path, cond="has_grant", on="go_fast")
    release = fast_path.to(slow, on="go_slow")

    def ask(self) -> None:
        self.emit("out", "req")

    def has_grant(self) -> bool:
        return self.peek("in") is not None

    def go_fast(self) -> None:
        self.recv("in")
        self.fast = True

    def go_slow(self) -> None:
        self.fast = False


class Server(Actor, StateMachine):
    """Grants every request it receives."""

    idle = State(initial=True)
    serve = idle.to(idle, cond="has_request", on="grant")

    def has_request(self) -> bool:
        return self.peek("in") is not None

    def grant(self) -> None:
        self.recv("in")
        self.emit("out", "ack")


def system() -> tuple[System, dict[str, str]]:
    """The wiring and its observable (the server's step is silent)."""
    s = System("handshake")
    s.channel("req", 1).channel("ack", 1)
    s.add("client", Client, ports={"out": "req", "in": "ack"})
    s.add("server", Server, ports={"in": "req", "out": "ack"})
    return s, dict(OBSERVABLE)
