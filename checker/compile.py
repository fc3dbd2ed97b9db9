"""Compile a python-statemachine class, by introspection, into plain tables.

The class stays the single source of truth: the tables hold integer state codes, event ids and,
per ``(state, event)``, the transitions in the library's own order with their guards and actions
as plain callables. The explorer never calls ``send()``; the differential tests check that both
semantics agree.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from statemachine import StateMachine

from .errors import DefinitionError

__all__ = ["ActorTable", "Guard", "TransitionRow", "compile_actor"]

Callback = Callable[[Any], Any]


@dataclass(frozen=True)
class Guard:
    """One condition of a transition: ``func(ctx)`` must equal ``expected`` (False for
    ``unless``)."""

    name: str
    func: Callback
    expected: bool


@dataclass(frozen=True)
class TransitionRow:
    """One transition of one event from one state, with what it runs, in the library's order."""

    source: int
    target: int
    event: str
    guards: tuple[Guard, ...]
    actions: tuple[tuple[str, Callback], ...]
    doc: str = ""
    # actions[:entered] run with the source state active (before, exit, on), the rest with the
    # target active (enter, after), as python-statemachine runs them
    entered: int = 0


@dataclass
class ActorTable:
    """The compiled form of one actor class."""

    cls: type[StateMachine]
    states: tuple[str, ...]
    initial: int
    final: frozenset[int]
    events: tuple[str, ...]
    variables: tuple[str, ...]
    initial_values: tuple[Any, ...]
    # (state code, event) -> transitions from that state on that event, library order
    rows: dict[tuple[int, str], tuple[TransitionRow, ...]]
    initial_actions: tuple[tuple[str, Callback], ...] = ()
    code: dict[str, int] = field(default_factory=dict)

    def events_from(self, state: int) -> tuple[str, ...]:
        """Events that have at least one transition leaving ``state``."""
        return tuple(e for e in self.events if (state, e) in self.rows)


def _resolve(cls: type, spec: Any, what: str) -> Callback | None:
    """Turn a callback spec into a plain callable taking the context as its only argument."""
    func = spec.func
    if isinstance(func, str):
        if not func.isidentifier():
            raise DefinitionError(
                f"{cls.__name__}: {what} {func!r} is an expression; write it as a method"
            )
        attr = inspect.getattr_static(cls, func, None)
        if attr is None:
            if spec.is_convention:
                return None
            raise DefinitionError(f"{cls.__name__}: {what} {func!r} is not defined on the class")
        if isinstance(attr, property):
            getter = attr.fget
            assert getter is not None
            return getter
        if isinstance(attr, staticmethod | classmethod):
            target: Callback = attr.__get__(None, cls)
            self_arg = False
        elif not callable(attr):
            raise DefinitionError(f"{cls.__name__}: {what} {func!r} is not callable")
        else:
            target = attr
            self_arg = True
    elif callable(func):
        target = func
        self_arg = False
    else:  # pragma: no cover - the library only produces strings and callables
        raise DefinitionError(f"{cls.__name__}: {what} {func!r} is not callable")
    params = [
        p
        for p in inspect.signature(target).parameters.values()
        if p.default is inspect.Parameter.empty
        and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]
    wanted = 1 if self_arg else 0
    if len(params) != wanted:
        name = getattr(target, "__name__", repr(target))
        raise DefinitionError(
            f"{cls.__name__}: {what} {name!r} must take no arguments (besides self); "
            "read the actor's variables and peers through self"
        )
    if self_arg:
        return target
    bare = cast(Callable[[], Any], target)  # a plain function: the library passes nothing

    def call(_ctx: Any) -> Any:
        return bare()

    return call


def _callbacks(cls: type, specs: Any, what: str, event: str) -> list[tuple[str, Callback]]:
    out: list[tuple[str, Callback]] = []
    for spec in specs:
        # convention callbacks such as on_<event> carry an event filter
        if spec.is_convention and spec.cond is not None and not spec.cond(event=event):
            continue
        fn = _resolve(cls, spec, what)
        if fn is not None:
            out.append((str(spec.func), fn))
    return out


def compile_actor(cls: type[StateMachine]) -> ActorTable:
    """Compile ``cls`` into an :class:`ActorTable`.

    Fails fast, naming the offender, on what the compiled semantics cannot represent: compound or
    parallel states, validators, callbacks that take arguments, guards written as expressions.
    """
    if not (isinstance(cls, type) and issubclass(cls, StateMachine)):
        raise DefinitionError(f"{cls!r} is not a python-statemachine StateMachine class")
    states = tuple(s.id for s in cls.states)
    if not states:
        raise DefinitionError(f"{cls.__name__}: has no states")
    code = {sid: i for i, sid in enumerate(states)}
    initial_states = [s for s in cls.states if s.initial]
    if len(initial_states) != 1:
        raise DefinitionError(f"{cls.__name__}: needs exactly one initial state")
    for s in cls.states:
        if getattr(s, "states", None):
            raise DefinitionError(f"{cls.__name__}: compound state {s.id!r} is not supported")
    variables: dict[str, Any] = dict(getattr(cls, "variables", {}) or {})
    clash = sorted(set(variables) & set(states))
    if clash:
        raise DefinitionError(f"{cls.__name__}: variables named like states: {clash}")
    _refuse_what_the_explorer_cannot_mirror(cls, frozenset(variables))
    events: list[str] = []
    rows: dict[tuple[int, str], list[TransitionRow]] = {}
    self_entries = bool(getattr(cls, "enable_self_transition_entries", False))
    for s in cls.states:
        for t in s.transitions:
            if list(t.validators):
                raise DefinitionError(
                    f"{cls.__name__}: validators are not supported ({s.id} -> {t.target.id})"
                )
            guards = []
            for spec in t.cond:
                fn = _resolve(cls, spec, "guard")
                if fn is None:
                    continue
                guards.append(Guard(str(spec.func), fn, bool(spec.expected_value)))
            for ev in t.events:
                ev_id = str(getattr(ev, "id", ev))
                if ev_id not in events:
                    events.append(ev_id)
                acts: list[tuple[str, Callback]] = []
                acts += _callbacks(cls, t.before, "action", ev_id)
                # as python-statemachine 3 runs them: an external transition, a self one too,
                # exits and enters; an internal one (to itself: states are atomic) exits
                # nothing and enters only with enable_self_transition_entries
                if not t.internal:
                    acts += _callbacks(cls, t.source.exit, "exit action", ev_id)
                acts += _callbacks(cls, t.on, "action", ev_id)
                entered = len(acts)
                if self_entries or not t.internal:
                    acts += _callbacks(cls, t.target.enter, "enter action", ev_id)
                acts += _callbacks(cls, t.after, "action", ev_id)
                row = TransitionRow(
                    source=code[s.id],
                    target=code[t.target.id],
                    event=ev_id,
                    guards=tuple(guards),
                    actions=tuple(acts),
                    entered=entered,
                )
                rows.setdefault((code[s.id], ev_id), []).append(row)
    initial = code[initial_states[0].id]
    init_actions = tuple(_callbacks(cls, initial_states[0].enter, "enter action", ""))
    return ActorTable(
        cls=cls,
        states=states,
        initial=initial,
        final=frozenset(code[s.id] for s in cls.states if s.final),
        events=tuple(events),
        variables=tuple(variables),
        initial_values=tuple(variables.values()),
        rows={k: tuple(v) for k, v in rows.items()},
        initial_actions=init_actions,
        code=code,
    )


# the world calls an actor makes; the explorer answers them itself, so an override would be
# used live and ignored when exploring
WORLD_CALLS = ("peer", "peers", "peek", "pending", "recv", "emit", "drain", "arg")


# what python-statemachine's StateMachine defines itself (send, current_state, ...): a method
# of that name in an actor is not a callback the library runs
_LIBRARY_NAMES = frozenset(dir(StateMachine))


def _user_classes(cls: type) -> list[type]:
    """The classes of ``cls``'s MRO written by the user (not the library, the mixin, object)."""
    from .actor import Actor

    return [
        k
        for k in cls.__mro__
        if k is not Actor
        and k.__module__ not in ("builtins", "typing", "abc")
        and not k.__module__.startswith("statemachine")
    ]


def _refuse_what_the_explorer_cannot_mirror(cls: type, variables: frozenset[str]) -> None:
    """Refuse, naming class, method and attribute, what the explorer's stand-in for ``self``
    would silently get wrong: an overridden world call, ``type(self)`` (it sees the stand-in's
    type), and a write to an attribute that is not a declared variable (it would survive into
    unrelated states, since the stand-in is reused). Read from the source, when there is one;
    the stand-in also refuses such writes when they happen."""
    for k in _user_classes(cls):
        for name in WORLD_CALLS:
            if name in vars(k):
                raise DefinitionError(
                    f"{cls.__name__}: {k.__name__}.{name} overrides a world call; the explorer "
                    "answers it itself and would ignore the override"
                )
        for name, value in vars(k).items():
            if (
                inspect.isfunction(value)
                and value.__qualname__ == f"{k.__name__}.{name}"
                and not name.startswith("__")
                and name in _LIBRARY_NAMES
            ):
                raise DefinitionError(
                    f"{cls.__name__}: {k.__name__}.{name} shadows python-statemachine's own "
                    f"StateMachine.{name}; the library does not run it as a callback: rename it"
                )
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(k)))
        except (OSError, TypeError, SyntaxError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for fn in body:
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) or not fn.args.args:
                continue
            me = fn.args.args[0].arg
            for node in ast.walk(fn):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "type"
                    and len(node.args) == 1
                    and isinstance(node.args[0], ast.Name)
                    and node.args[0].id == me
                ):
                    raise DefinitionError(
                        f"{cls.__name__}.{fn.name}: type({me}) is the explorer's stand-in, not "
                        f"{cls.__name__}; use isinstance({me}, ...)"
                    )
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.ctx, ast.Store | ast.Del)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == me
                    and node.attr not in variables
                ):
                    raise DefinitionError(
                        f"{cls.__name__}.{fn.name}: writes {me}.{node.attr}, which is not "
                        "declared in variables (declare it, or the explorer would carry it "
                        "from one state into others)"
                    )
