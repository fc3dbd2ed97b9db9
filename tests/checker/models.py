"""Small domain-free models for testing the engine (never imports vfpath.model)."""

from __future__ import annotations

from statemachine import State, StateMachine

from vfpath.checker import Property, System
from vfpath.checker.actor import Actor


class PetersonProcess(Actor, StateMachine):
    """One process of Peterson's mutual exclusion algorithm (flag + shared turn)."""

    variables = {"flag": False}
    me = 0  # replaced per instance by params

    idle = State(initial=True)
    want = State()
    waiting = State()
    critical = State()

    raise_flag = idle.to(want, on="set_flag")
    set_turn = want.to(waiting)
    enter = waiting.to(critical, cond="may_enter")
    leave = critical.to(idle, on="clear_flag")

    def set_flag(self) -> None:
        self.flag = True

    def clear_flag(self) -> None:
        self.flag = False

    def may_enter(self) -> bool:
        return (not self.peer("other").flag) or self.peer("turn").state == f"t{self.me}"


class Turn(Actor, StateMachine):
    """The shared ``turn`` variable, written by rendezvous with the processes."""

    t0 = State(initial=True)
    t1 = State()
    give0 = t0.to(t0) | t1.to(t0)
    give1 = t0.to(t1) | t1.to(t1)


class CheckThenSet(Actor, StateMachine):
    """A broken lock: test the other's flag, then set one's own (two separate steps)."""

    variables = {"flag": False}

    idle = State(initial=True)
    checked = State()
    critical = State()

    check = idle.to(checked, cond="other_free")
    enter = checked.to(critical, on="set_flag")
    leave = critical.to(idle, on="clear_flag")

    def other_free(self) -> bool:
        return not self.peer("other").flag

    def set_flag(self) -> None:
        self.flag = True

    def clear_flag(self) -> None:
        self.flag = False


def mutex(a: str, b: str) -> Property:
    return Property.always(
        "mutual-exclusion",
        lambda s: not (s[a].state == "critical" and s[b].state == "critical"),
        description="The two processes are never both in their critical sections.",
    )


def peterson() -> System:
    sysm = System("peterson")
    sysm.add("turn", Turn)
    for i in (0, 1):
        sysm.add(
            f"p{i}", PetersonProcess, peers={"other": f"p{1 - i}", "turn": "turn"}, params={"me": i}
        )
    sysm.sync("p0.set_turn", ("p0", "set_turn"), ("turn", "give1"))
    sysm.sync("p1.set_turn", ("p1", "set_turn"), ("turn", "give0"))
    sysm.properties.append(mutex("p0", "p1"))
    sysm.properties.append(Property.sometimes("p0-enters", lambda s: s["p0"].state == "critical"))
    return sysm


def broken_lock() -> System:
    sysm = System("check-then-set")
    for i in (0, 1):
        sysm.add(f"p{i}", CheckThenSet, peers={"other": f"p{1 - i}"})
    sysm.properties.append(mutex("p0", "p1"))
    return sysm


class Philosopher(Actor, StateMachine):
    """Thinks, takes fork i, then fork i+1, eats, puts both down (optionally puts fork i back)."""

    thinking = State(initial=True)
    has_left = State()
    eating = State()

    take_left = thinking.to(has_left)
    take_right = has_left.to(eating)
    put_down = eating.to(thinking)
    put_back = has_left.to(thinking, cond="may_put_back")

    may_put_back_param = False  # per instance, from the wiring's params

    def may_put_back(self) -> bool:
        return bool(self.may_put_back_param)


class Fork(Actor, StateMachine):
    """A fork shared by its left user (``a``, philosopher i) and right user (``b``, i-1)."""

    free = State(initial=True)
    held = State()

    pick_a = free.to(held)
    pick_b = free.to(held)
    drop_a = held.to(free)
    drop_b = held.to(free)
    back_a = held.to(free)


def philosophers(n: int, put_back: bool = False) -> System:
    sysm = System(f"philosophers-{n}{'-put-back' if put_back else ''}")
    for i in range(n):
        sysm.add(f"fork[{i}]", Fork)
    for i in range(n):
        sysm.add(f"phil[{i}]", Philosopher, params={"may_put_back_param": put_back})
    for i in range(n):
        j = (i + 1) % n
        p = f"phil[{i}]"
        sysm.sync(f"{p}.take_left", (p, "take_left"), (f"fork[{i}]", "pick_a"))
        sysm.sync(f"{p}.take_right", (p, "take_right"), (f"fork[{j}]", "pick_b"))
        sysm.sync(
            f"{p}.put_down", (p, "put_down"), (f"fork[{i}]", "drop_a"), (f"fork[{j}]", "drop_b")
        )
        sysm.sync(f"{p}.put_back", (p, "put_back"), (f"fork[{i}]", "back_a"))
    return sysm


class Producer(Actor, StateMachine):
    """Sends 0, 1, 2, 0, ... on ``out`` while it has credit (flow control by rendezvous)."""

    variables = {"next": 0, "credit": 2}

    ready = State(initial=True)
    produce = ready.to(ready, cond="has_credit", on="put")
    refill = ready.to(ready, on="add_credit")

    def has_credit(self) -> bool:
        return self.credit > 0

    def put(self) -> None:
        self.emit("out", self.next)
        self.next = (self.next + 1) % 3
        self.credit -= 1

    def add_credit(self) -> None:
        self.credit += 1


class Consumer(Actor, StateMachine):
    """Takes a message when one waits (a guard that peeks at the channel), then returns credit."""

    variables = {"total": 0}

    waiting = State(initial=True)
    got = State()

    take = waiting.to(got, cond="has_msg", on="take_msg")
    done = got.to(waiting)

    def has_msg(self) -> bool:
        return self.peek("inbox") is not None

    def take_msg(self) -> None:
        self.total = (self.total + self.recv("inbox")) % 4


def pipeline(capacity: int = 2, credit: int = 2) -> System:
    """A producer and a consumer on one FIFO channel; ``credit > capacity`` overflows it."""
    sysm = System(f"pipeline-{capacity}-{credit}")
    sysm.channel("link", capacity)
    sysm.add("prod", Producer, ports={"out": "link"}, init={"credit": credit})
    sysm.add("cons", Consumer, ports={"inbox": "link"})
    sysm.sync("cons.done", ("cons", "done"), ("prod", "refill"))
    return sysm
