"""Domain-free models for liveness and coverage tests (never imports vfpath.model).

Each model is small enough that its fair and unfair runs can be worked out by hand; the tests
state that reasoning next to each expectation.
"""

from __future__ import annotations

from statemachine import State, StateMachine

from vfpath.checker import Fairness, Property, System
from vfpath.checker.actor import Actor


class Client(Actor, StateMachine):
    """Sends one request, then waits for the reply before it can ask again."""

    idle = State(initial=True)
    waiting = State()

    request = idle.to(waiting, on="send_request")
    finish = waiting.to(idle, cond="has_reply", on="take_reply")

    def send_request(self) -> None:
        self.emit("out", "req")

    def has_reply(self) -> bool:
        return self.peek("in") is not None

    def take_reply(self) -> None:
        self.recv("in")


class Server(Actor, StateMachine):
    """Answers each request it takes off its input channel."""

    ready = State(initial=True)

    serve = ready.to(ready, cond="has_request", on="answer")

    def has_request(self) -> bool:
        return self.peek("in") is not None

    def answer(self) -> None:
        self.recv("in")
        self.emit("out", "rep")


class Clock(Actor, StateMachine):
    """Ticks forever on its own: the distraction an unfair scheduler may prefer."""

    tick_a = State(initial=True)
    tick_b = State()

    tick = tick_a.to(tick_b) | tick_b.to(tick_a)


def request_reply(*fairness: Fairness) -> System:
    """Client and server over two one-slot channels, plus a clock; "request ~> reply"."""
    sysm = System("request-reply")
    sysm.add("client", Client, ports={"out": "req", "in": "rep"})
    sysm.add("server", Server, ports={"in": "req", "out": "rep"})
    sysm.add("clock", Clock)
    sysm.channel("req", 1)
    sysm.channel("rep", 1)
    sysm.properties.append(
        Property.leads_to(
            "request-answered",
            lambda s: s["client"].state == "waiting",
            lambda s: s["client"].state == "idle",
            fairness=tuple(fairness),
            description="A waiting client eventually gets its reply.",
        )
    )
    return sysm


class Light(Actor, StateMachine):
    """Switches between red and green forever."""

    red = State(initial=True)
    green = State()

    switch = red.to(green) | green.to(red)


class Walker(Actor, StateMachine):
    """Crosses only while the light is green, then comes back to wait again."""

    waiting = State(initial=True)
    crossed = State()

    cross = waiting.to(crossed, cond="is_green")
    back = crossed.to(waiting)

    def is_green(self) -> bool:
        return self.peer("light").state == "green"


def crossing(*fairness: Fairness, always_eventually: bool = False) -> System:
    """A walker at a blinking light: ``cross`` is enabled only intermittently."""
    sysm = System("crossing")
    sysm.add("light", Light)
    sysm.add("walker", Walker, peers={"light": "light"})
    crossed = lambda s: s["walker"].state == "crossed"  # noqa: E731
    if always_eventually:
        prop = Property.always_eventually("crosses-often", crossed, fairness=tuple(fairness))
    else:
        prop = Property.leads_to(
            "eventually-crosses",
            lambda s: s["walker"].state == "waiting",
            crossed,
            fairness=tuple(fairness),
        )
    sysm.properties.append(prop)
    return sysm


class Job(Actor, StateMachine):
    """Queued, running, then finished; it may abort (a final state) when ``may_abort``."""

    queued = State(initial=True)
    running = State()
    finished = State(final=True)
    aborted = State(final=True)

    start = queued.to(running)
    done = running.to(finished)
    abort = running.to(aborted, cond="abort_allowed")

    may_abort = True  # per instance, from params

    def abort_allowed(self) -> bool:
        return bool(self.may_abort)


def job(may_abort: bool) -> System:
    sysm = System("job")
    sysm.add("job", Job, params={"may_abort": may_abort})
    sysm.properties.append(
        Property.leads_to(
            "job-finishes",
            lambda s: s["job"].state in ("queued", "running"),
            lambda s: s["job"].state == "finished",
            fairness=(Fairness("*"),),
        )
    )
    return sysm


class Counter(Actor, StateMachine):
    """Counts from 0 up to ``limit`` then wraps to 0: one cycle of ``limit + 1`` states."""

    variables = {"n": 0}
    limit = 10  # per instance, from params

    counting = State(initial=True)

    inc = counting.to(counting, cond="below", on="bump")
    wrap = counting.to(counting, cond="at_top", on="zero")

    def below(self) -> bool:
        return bool(self.n < self.limit)

    def at_top(self) -> bool:
        return bool(self.n == self.limit)

    def bump(self) -> None:
        self.n += 1

    def zero(self) -> None:
        self.n = 0


def counter(limit: int, *props: Property) -> System:
    sysm = System(f"counter-{limit}")
    sysm.add("c", Counter, params={"limit": limit})
    sysm.properties.extend(props)
    return sysm


class Picker(Actor, StateMachine):
    """Coverage fodder: ``go`` has two rows from ``start``, ``jump`` is never enabled."""

    start = State(initial=True)
    left = State()
    right = State()
    never = State()

    go = start.to(left, cond="prefers_left") | start.to(right)
    jump = left.to(never, cond="impossible")
    reset = left.to(start) | right.to(start) | never.to(start)

    prefer_left = True  # per instance, from params

    def prefers_left(self) -> bool:
        return bool(self.prefer_left)

    def impossible(self) -> bool:
        return False


def pickers(*prefer_left: bool) -> System:
    sysm = System("pickers")
    for k, pref in enumerate(prefer_left):
        sysm.add(f"p{k}", Picker, params={"prefer_left": pref})
    return sysm
