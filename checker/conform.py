"""The model as an acceptor of observed traces: does an implementation's trace conform?

Only some moves of the product are observable: an *observable* names, per move, the event an
observer would see (or ``None``: a silent move). Between two observations any number of silent
moves may happen, so after each observation the :class:`Oracle` holds the set of every product
state consistent with the trace so far (a subset construction done on the fly, as in runtime
verification of partially observed systems). The closure over silent moves is bounded per step;
when the bound is hit, an acceptance is still sound (a witness path exists) but a rejection is only
*inconclusive*.

The trace is kept as its consistent set plus its last steps as data (the memo's templates: which
move led from which state to which), so a repeated step is a lookup and memory stays flat; a
witness path through the kept steps is rebuilt from them when a report needs one. Output is
deterministic: state sets are insertion-ordered dicts filled in the product's fixed move order,
and reported names are sorted.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import LimitError, VfpathError, WiringError
from .explore import Options, explore, path_trace
from .product import Move, Overflow, Product, State
from .result import Trace
from .system import System
from .values import decode, decode_all
from .view import StateView

__all__ = [
    "SCHEMA",
    "ByState",
    "Name",
    "Observable",
    "Observation",
    "Oracle",
    "Verdict",
    "VerdictStatus",
    "Vocabulary",
    "render_verdict",
    "verdict_to_dict",
]


# memoised steps kept per oracle; a long log repeats a few cycles, so this is rarely reached
MEMO_ENTRIES = 4096

# the witness path keeps the steps of at least this many of the last accepted observations (at
# most twice as many): older steps are dropped, so memory stays flat however long the log is
KEEP = 200


@dataclass(frozen=True)
class ByState:
    """A move seen under one of several names, chosen by the state it leads to.

    For moves whose visible effect depends on data: one "association" move that a log prints as
    "slot added" or "slot removed" depending on what it stored. ``pick`` reads a
    :class:`~checker.view.StateView` of the successor and returns one of ``names``, or ``None``
    when that instance of the move is silent (a rendezvous that only sometimes does something
    visible). With ``before`` set, ``pick`` is called as ``pick(after, before)``: some effects
    show only as a change (a binding torn down is "unbound" afterwards either way).
    """

    names: tuple[str, ...]
    pick: Callable[..., str | None]
    before: bool = False


Name = str | ByState | None
# move -> observed name (None: silent); or a mapping move label -> name; or the labels that are
# observable under their own name
Observable = Callable[[Move], Name] | Mapping[str, Name] | Iterable[str]


@dataclass(frozen=True)
class Observation:
    """One observed event (``event`` None: a pure observation of state ``fields``).

    ``instance`` qualifies the event: the oracle matches ``"instance.event"`` then. ``line`` and
    ``text`` say where it came from, for reports (``where`` is e.g. "line 4" or "state 3").
    """

    event: str | None
    instance: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    line: int = 0
    text: str = ""
    where: str = ""

    @property
    def key(self) -> str | None:
        """The observed event name the oracle matches against its alphabet."""
        if self.event is None:
            return None
        return f"{self.instance}.{self.event}" if self.instance else self.event

    @property
    def location(self) -> str:
        return self.where or (f"line {self.line}" if self.line else "observation")


@dataclass(frozen=True)
class Vocabulary:
    """What trace readers may name: observed events, model move labels, state fields."""

    alphabet: frozenset[str]
    moves: Mapping[str, str | None]
    fields: frozenset[str]


class VerdictStatus(enum.Enum):
    CONFORMS = "conforms"
    DIVERGES = "does not conform"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class Verdict:
    """The outcome of a whole trace. ``bool(verdict)`` is "conforms"."""

    status: VerdictStatus
    accepted: int  # observations accepted
    rejected: Observation | None
    allowed: tuple[str, ...]  # events the model allowed where the trace diverged (sorted)
    trace: Trace  # a model path through the accepted prefix
    marks: Mapping[int, Observation]  # trace step index -> the observation it explains
    log_start: int  # trace steps before this index lead to the log's first state
    states: int  # consistent states at the end (or at the divergence)
    note: str = ""
    elided: int = 0  # observations before ``trace`` starts, not kept (a long trace)

    def __bool__(self) -> bool:
        return self.status is VerdictStatus.CONFORMS


class _Node:
    """A consistent state, with one parent pointer for a witness path."""

    __slots__ = ("at", "depth", "move", "obs", "parent", "state")

    def __init__(
        self, parent: _Node | None, move: int, state: State, obs: Observation | None, at: int = 0
    ) -> None:
        self.parent = parent
        self.move = move
        self.state = state
        self.obs = obs
        self.at = at  # observations accepted when the node was made
        self.depth: int = 0 if parent is None else parent.depth + 1


def _resolve(product: Product, observable: Observable) -> list[Name]:
    labels = [m.label for m in product.moves]
    if callable(observable):
        return [observable(m) for m in product.moves]
    if isinstance(observable, Mapping):
        mapping: Mapping[str, Name] = observable
    else:
        mapping = {label: label for label in observable}
    unknown = sorted(set(mapping) - set(labels))
    if unknown:
        raise WiringError(f"observable names moves the model does not have: {unknown}")
    return [mapping.get(label) for label in labels]


def _norm(v: Any) -> Any:
    """Tuples and lists compare equal (JSON has no tuples); sets compare as sets."""
    if isinstance(v, (tuple, list)):
        return [_norm(x) for x in v]
    return v


class Oracle:
    """The model of ``system`` as an acceptor of observations.

    Parameters: ``observable`` says which moves are seen and as what; ``from_any_state`` starts
    from every reachable state (explored once, up to ``max_states``) instead of the initial one,
    for logs that do not start at boot; ``max_silent`` bounds the states explored per step;
    ``keep`` is how many of the last observations the witness path reaches back to.

    ``lazy`` names instances (another VM, when the trace is one VM's) whose moves the closure
    does not take between two observations: they stay where they are, and move only when an
    observation has no successor otherwise (then a closure over every move, bounded by
    ``max_silent``, is searched once from the consistent states). Every state kept is still one
    the full model reaches by the trace, so "conforms" stays sound; but the set is a subset, so
    a trace it cannot explain is only *inconclusive*, never "does not conform".
    """

    def __init__(
        self,
        system: System | Product,
        observable: Observable,
        *,
        from_any_state: bool = False,
        max_silent: int = 100_000,
        max_states: int | None = None,
        lazy: Iterable[str] = (),
        lazy_channels: Iterable[str] | None = None,
        keep: int = KEEP,
    ) -> None:
        if max_silent < 1:
            raise LimitError(f"max_silent must be at least 1, got {max_silent}")
        if keep < 1:
            raise LimitError(f"keep must be at least 1, got {keep}")
        self.product = system.build() if isinstance(system, System) else system
        self._names = _resolve(self.product, observable)
        self._lazy = sorted(set(lazy))
        # the channels only lazy instances use: given, a line the lazy search cannot explain is
        # checked once more with the lazy instances as havoc (checker.havoc), which can prove a
        # divergence; None: such a line stays inconclusive
        self._lazy_channels = None if lazy_channels is None else sorted(set(lazy_channels))
        self.proved = False
        self._skip = self._lazy_moves(frozenset(lazy))
        # every move a lazy instance leads is one of its moves: those are not even generated
        self._leading = self.product.leaders_except(self.product.index[n] for n in self._lazy)
        # a silent closure needs no successor by a move always seen (a plain name), a step
        # none by a move never seen: neither is built
        self._seen = frozenset(k for k, n in enumerate(self._names) if isinstance(n, str))
        self._never_seen = frozenset(k for k, n in enumerate(self._names) if n is None)
        self.keep = keep
        self.widened = 0  # observations that needed the lazy instances' moves
        self.elided = 0
        alphabet: set[str] = set()
        for n in self._names:
            if isinstance(n, ByState):
                alphabet.update(n.names)
            elif n is not None:
                alphabet.add(n)
        self.alphabet = frozenset(alphabet)
        if not self.alphabet:
            raise WiringError("no move of the model is observable")
        # ITF traces name a move seen under several names by its label (the name is in the state)
        self._by_label = (
            frozenset(
                m.label
                for m, n in zip(self.product.moves, self._names, strict=True)
                if isinstance(n, ByState)
            )
            - self.alphabet
        )
        self.max_silent = max_silent
        self.from_any_state = from_any_state
        self.note = ""
        self.accepted = 0
        self.rejection: Verdict | None = None
        self._fields: dict[str, Callable[[State], Any]] = {}
        self._log_start = 0
        self._max_states = max_states
        # the trace so far: the consistent states; the witness nodes where the kept steps
        # start; each kept step as data (memo templates), rebuilt into a path only for reports
        self._states: frozenset[State] | None = None
        self._base: dict[State, _Node] = {}
        self._history: list[tuple[Any, Any, Observation]] = []
        self._memo: dict[Hashable, Any] = {}
        # every consistent set a step produced, by itself: equal sets are one object, so a memo
        # lookup compares them by identity instead of state by state (5,920 packed states on
        # the default configuration: comparing two equal copies cost more than the step)
        self._sets: dict[frozenset[State], frozenset[State]] = {}
        self._roots: dict[State, _Node] | None = None

    def _lazy_moves(self, lazy: frozenset[str]) -> frozenset[int]:
        """The moves a lazy instance takes part in; none of them may be observable."""
        unknown = sorted(lazy - set(self.product.names))
        if unknown:
            raise WiringError(f"lazy names instances the model does not have: {unknown}")
        ids = {self.product.index[n] for n in lazy}
        out = set()
        for k, m in enumerate(self.product.moves):
            if any(i in ids for i, _ in m.parts):
                if self._names[k] is not None:
                    raise WiringError(f"{m.label}: a lazy instance's move is observable")
                out.add(k)
        return frozenset(out)

    def restart(self) -> None:
        """Forget the trace fed so far: the next observation starts a new trace (another
        stream of the same log, judged against the same built model)."""
        self.note = ""
        self.accepted = 0
        self.widened = 0
        self.elided = 0
        self.rejection = None
        self.proved = False
        self._log_start = 0
        self._states = None
        self._base = {}
        self._history = []

    def fork(self) -> Oracle:
        """A fresh oracle on the same built model, sharing the step memo and the starting set:
        one per stream of a log (each NIC's lines), all judged side by side."""
        if self._roots is None:
            self._start()  # computed once, for every fork
        twin = object.__new__(Oracle)
        twin.__dict__.update(self.__dict__)
        twin.restart()
        return twin

    @property
    def _current(self) -> dict[State, _Node]:
        """The consistent set, as nodes a step can start from (fresh roots once steps were
        taken: the path to them is in the history); computed on first use, so bad input is
        reported before any exploration (``from_any_state`` explores the whole configuration)."""
        self._start()
        if not self._history:
            return self._base
        return {s: _Node(None, -1, s, None) for s in self._states or ()}

    def _start(self) -> None:
        """The starting set, on first use."""
        if self._states is None:
            if self._roots is None:
                if self.from_any_state:
                    roots = self._all_states(self._max_states)
                else:
                    roots = {self.product.initial: _Node(None, -1, self.product.initial, None)}
                self._roots = self._close(roots, self.max_silent)
                self._root_note = self.note
                self._root_set = self._interned(frozenset(self._roots))
            self.note = self._root_note
            self._base = self._roots
            self._states = self._root_set

    def _take(self, entries: Any, outputs: Any, after: frozenset[State], obs: Observation) -> None:
        """Record one accepted step; past ``2 * keep`` steps the oldest ``keep`` are dropped
        (their observations are counted in :attr:`elided`), so memory stays flat."""
        self._history.append((entries, outputs, obs))
        self._states = after
        self.accepted += 1
        if len(self._history) >= 2 * self.keep:
            cut = self._history[self.keep - 1][1]
            self._base = {s: _Node(None, -1, s, None) for s in cut}
            del self._history[: self.keep]
            self.elided += self.keep

    # -- set-up -----------------------------------------------------------------------------
    def _all_states(self, max_states: int | None) -> dict[State, _Node]:
        if self._skip:  # every state reached with the lazy instances still
            root = _Node(None, -1, self.product.initial, None)
            bound = max_states or 10**9
            found = self._close({root.state: root}, bound, every=True)
            if len(found) >= bound:
                self.note = f"the starting set is incomplete: the bound of {bound} states was hit"
            return found
        ex = explore(self.product, [], Options(max_states=max_states, deadlock=False))
        if not ex.complete:
            self.note = (
                f"the starting set is incomplete: exploration stopped at the {ex.stop_reason}"
            )
        nodes: list[_Node] = []
        for j, s in enumerate(ex.states):
            parent = nodes[ex.parent[j]] if j else None
            nodes.append(_Node(parent, ex.via[j], s, None))
        return {n.state: n for n in nodes}

    def vocabulary(self) -> Vocabulary:
        """The names a trace may use, for the readers in :mod:`checker.traces`."""
        p = self.product
        fields = set(p.names) | set(p.channel_names)
        for i, name in enumerate(p.names):
            fields.update(f"{name}.{v}" for v in p.varidx[i])
        moves: dict[str, str | None] = {}
        for m, n in zip(p.moves, self._names, strict=True):
            # a move seen under several names is named by the move itself in ITF actions
            moves[m.label] = m.label if isinstance(n, ByState) else n
        return Vocabulary(self.alphabet, moves, frozenset(fields))

    def _field(self, name: str) -> Callable[[State], Any]:
        getter = self._fields.get(name)
        if getter is not None:
            return getter
        p = self.product
        if name in p.index:
            i = p.index[name]
            off, states = p.offsets[i], p.tables[i].states
            getter = lambda s: states[s[off]]  # noqa: E731
        elif name in p.channel_names:
            k = p.channel_base + p.channel_names.index(name)
            getter = lambda s: _norm(decode_all(s[k]))  # noqa: E731
        else:
            inst, _, var = name.rpartition(".")
            i = p.index.get(inst, -1)
            if i < 0 or var not in p.varidx[i]:
                raise VfpathError(f"unknown state field {name!r}")
            k = p.offsets[i] + p.varidx[i][var]
            getter = lambda s: _norm(decode(s[k]))  # noqa: E731
        self._fields[name] = getter
        return getter

    def _test(self, obs: Observation) -> Callable[[State], bool]:
        try:
            checks = [(self._field(k), _norm(v)) for k, v in sorted(obs.fields.items())]
        except VfpathError as e:
            raise VfpathError(f"{obs.location}: {e}") from None
        return lambda s: all(get(s) == want for get, want in checks)

    def validate(self, observations: Iterable[Observation]) -> None:
        """Raise :class:`VfpathError` at the first unknown event or field, before any work."""
        for obs in observations:
            if obs.key is not None and not self._known(obs.key):
                raise VfpathError(f"{obs.location}: unknown event {obs.key!r}")
            self._test(obs)

    # -- the acceptor ------------------------------------------------------------------------
    def _close(
        self, seed: dict[State, _Node], bound: int, *, lazy: bool = True, every: bool = False
    ) -> dict[State, _Node]:
        """``seed`` plus every state reachable by silent moves (``every``: by any move), but
        the lazy instances' moves if ``lazy``, breadth first, up to ``bound`` states."""
        out = dict(seed)
        queue = list(seed.values())
        names = self._names
        at = self.accepted
        skip = self._skip if lazy else frozenset()
        leaders = self._leading if lazy else None
        unwanted = skip if every else skip | self._seen
        i = 0
        while i < len(queue):
            node = queue[i]
            i += 1
            for m, t in self.product.successors(node.state, leaders, unwanted):
                if isinstance(t, Overflow) or t in out or m in skip:
                    continue
                if not every and names[m] is not None and self._name(m, node.state, t) is not None:
                    continue
                if len(out) >= bound:
                    self.note = f"the silent-step bound of {bound} states was hit"
                    return out
                child = _Node(node, m, t, None, at)
                out[t] = child
                queue.append(child)
        return out

    def feed(self, event: Observation | str) -> bool:
        """Advance over one observation; False (:attr:`rejection` set) if the model forbids it."""
        obs = Observation(event) if isinstance(event, str) else event
        if self.rejection is not None:
            raise VfpathError("the trace has already diverged; start a new Oracle")
        key = obs.key
        if key is not None and not self._known(key):
            raise VfpathError(f"{obs.location}: unknown event {key!r}")
        memo_key = self._memo_key(obs) if MEMO_ENTRIES > 0 else None
        hit = None if memo_key is None else self._memo.get(memo_key)
        if hit is not None:
            self._take(hit[0], hit[1], hit[2], obs)
            return True
        before = self._current
        nxt = self._step(before, obs)
        widened = False
        if not nxt and self._skip and not self.note:
            # the lazy instances move only now: can any of their moves explain this line?
            wide = self._close(before, self.max_silent, lazy=False)
            nxt = self._step(wide, obs)
            widened = True
            if nxt:
                self.widened += 1
                self.note = ""  # the bound may have been hit, but a successor was found
            else:
                self.note = (
                    "the other instances moved only when a line needed it "
                    f"({', '.join(self._lazy)}); searched up to {len(wide):,} states"
                    + (f" ({self.note})" if self.note else "")
                )
        if not nxt:
            if widened:
                self._prove(obs)
            self.rejection = self._verdict(obs)
            return False
        after = self._close(nxt, self.max_silent)
        entries, outputs = self._template(before, after, obs)
        states = frozenset(after)
        if memo_key is not None and not self.note and not widened:
            if len(self._memo) >= MEMO_ENTRIES:
                self._memo.clear()
                self._sets.clear()
            states = self._interned(states)  # only sets the memo keeps: bounded with it
            self._memo[memo_key] = (entries, outputs, states)
        self._take(entries, outputs, states, obs)
        return True

    def _prove(self, obs: Observation) -> None:
        """After the lazy search failed: replay the whole trace with the lazy instances as
        havoc (a superset of the real behaviours); if that rejects ``obs`` too, the divergence
        is sound. Needs the whole trace, so not after steps were dropped (:attr:`elided`)."""
        if self._lazy_channels is None:
            return
        if self.elided:
            self.note += "; no havoc check: the start of the trace is not kept"
            return
        from .havoc import havoc_rejects

        trace = [o for _e, _o, o in self._history] + [obs]
        self.proved, why = havoc_rejects(self, trace, self._lazy_channels)
        if self.proved:
            self.note = (
                f"proved with the other instances ({', '.join(self._lazy)}) as havoc: even "
                "acting on the shared ones at any step, they cannot explain this line"
            )
        else:
            self.note += f"; the havoc check cannot tell: {why}"

    def _step(self, current: dict[State, _Node], obs: Observation) -> dict[State, _Node]:
        """The states ``obs`` leads to from ``current`` (before the silent closure)."""
        key = obs.key
        test = self._test(obs)
        by_label = key in self._by_label
        nxt: dict[State, _Node] = {}
        if key is None:
            return {s: n for s, n in current.items() if test(s)}
        at = self.accepted + 1
        for s, node in current.items():
            for m, t in self.product.successors(s, self._leading, self._never_seen):
                if isinstance(t, Overflow) or t in nxt:
                    continue
                if (self.product.moves[m].label if by_label else self._name(m, s, t)) != key:
                    continue
                if test(t):
                    nxt[t] = _Node(node, m, t, obs, at)
        return nxt

    # -- the step memo: a repeated cycle (flapping, servicing every few hours) is a lookup ------
    def _interned(self, states: frozenset[State]) -> frozenset[State]:
        """The one object for this consistent set (shared by forks, cleared with the memo)."""
        return self._sets.setdefault(states, states)

    def _memo_key(self, obs: Observation) -> Hashable | None:
        """The consistent set and what was observed: the next set depends on nothing else."""
        try:
            fields = frozenset(obs.fields.items())
            hash(fields)
        except TypeError:
            return None
        self._start()
        return (self._states, obs.key, fields)

    @staticmethod
    def _template(before: dict[State, _Node], after: dict[State, _Node], obs: Observation) -> Any:
        """The step as data: the new witness nodes (parents first; a parent is a state of
        ``before`` or an earlier entry; the flag marks the move that explains ``obs``), and
        each state of ``after`` with the node it ends on."""
        entries: list[tuple[Any, int, State, bool]] = []
        index: dict[int, int] = {}

        def ref(node: _Node) -> Any:
            chain = []
            n: _Node | None = node
            while n is not None and before.get(n.state) is not n and id(n) not in index:
                chain.append(n)
                n = n.parent
            assert n is not None  # every witness path starts in ``before``
            top: Any = index.get(id(n), ("root", n.state))
            for c in reversed(chain):
                entries.append((top, c.move, c.state, c.obs is obs))
                top = index[id(c)] = len(entries) - 1
            return top

        outputs = {t: ref(node) for t, node in after.items()}
        return tuple(entries), outputs

    @staticmethod
    def _hops(entries: Any, outputs: Any) -> list[tuple[State, int]]:
        """For each state a step ends on (in order): the state before the step its path starts
        from, and how many moves that path takes."""
        up: list[tuple[State, int]] = []
        for parent, *_rest in entries:
            if isinstance(parent, tuple):
                up.append((parent[1], 1))
            else:
                root, h = up[parent]
                up.append((root, h + 1))
        return [(r[1], 0) if isinstance(r, tuple) else up[r] for r in outputs.values()]

    def _known(self, key: str) -> bool:
        """An observed event name, or the label of a move seen under several names."""
        return key in self.alphabet or key in self._by_label

    def _name(self, m: int, s: State, t: State) -> str | None:
        """What an observer sees when move ``m`` leads from state ``s`` to state ``t``."""
        name = self._names[m]
        if isinstance(name, ByState):
            after = StateView(self.product, t)
            args = (after, StateView(self.product, s)) if name.before else (after,)
            seen = name.pick(*args)
            if seen is not None and seen not in name.names:
                raise WiringError(f"{self.product.moves[m].label}: picked {seen!r}, not a name")
            return seen
        return name

    def allowed(self) -> frozenset[str]:
        """The observable events the model allows next."""
        out: set[str] = set()
        self._start()
        assert self._states is not None
        for s in self._states:
            for m, t in self.product.successors(s, self._leading):
                if self._names[m] is not None and not isinstance(t, Overflow):
                    seen = self._name(m, s, t)
                    if seen is not None:
                        out.add(seen)
        return frozenset(out)

    def states(self) -> frozenset[State]:
        """The packed product states consistent with the trace so far."""
        self._start()
        assert self._states is not None
        return self._states

    def run(self, observations: Iterable[Observation]) -> Verdict:
        """Feed every observation (stopping at the first divergence) and judge the trace."""
        for obs in observations:
            if not self.feed(obs):
                assert self.rejection is not None
                return self.rejection
        return self._verdict(None)

    # -- reporting ---------------------------------------------------------------------------
    def witness(self) -> tuple[Trace, dict[int, Observation], int]:
        """A shortest-known model path to a consistent state, which step explains which line,
        and how many leading steps only reach the log's first state (``from_any_state``).
        After a long trace the path starts where the kept steps start (:attr:`elided`
        observations before them)."""
        self._start()
        # path lengths forward through the kept steps, to pick a shortest one as before; as
        # lists in each step's state order, so no state is hashed per step (a memoised step
        # recurs: how its states index the previous step's is worked out once per pair)
        prev: Any = self._base
        dist = [n.depth for n in self._base.values()]
        steps_of: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
        for entries, outputs, _ in self._history:
            pair = steps_of.get((id(prev), id(outputs)))
            if pair is None:
                pos = {s: k for k, s in enumerate(prev)}
                ends = self._hops(entries, outputs)
                pair = steps_of[id(prev), id(outputs)] = (
                    [pos[root] for root, _h in ends],
                    [h for _root, h in ends],
                )
            dist = [dist[k] + h for k, h in zip(*pair, strict=True)]
            prev = outputs
        best = min(range(len(dist)), key=dist.__getitem__)
        state = list(prev)[best]
        # and back from it: each step's entries, then the base node's own parents
        tail: list[tuple[int, State, Observation | None]] = []
        for entries, outputs, obs in reversed(self._history):
            ref = outputs[state]
            while not isinstance(ref, tuple):
                parent, move, st, observed = entries[ref]
                tail.append((move, st, obs if observed else None))
                ref = parent
            state = ref[1]
        chain: list[_Node] = []
        node: _Node | None = self._base[state]
        while node is not None:
            chain.append(node)
            node = node.parent
        chain.reverse()
        steps = [(n.move, n.state, n.obs) for n in chain[1:]] + tail[::-1]
        hops = [(m, st) for m, st, _ in steps]
        marks = {k: o for k, (_, _, o) in enumerate(steps, start=1) if o is not None}
        start = min(marks, default=len(steps) + 1) - 1 if self.from_any_state else 0
        if self.elided:
            start = 0
        return path_trace(self.product, chain[0].state, hops), marks, start

    def _verdict(self, rejected: Observation | None) -> Verdict:
        trace, marks, start = self.witness()
        if rejected is None:
            status = VerdictStatus.CONFORMS
        else:
            unsure = self.note and not self.proved
            status = VerdictStatus.INCONCLUSIVE if unsure else VerdictStatus.DIVERGES
        allowed = tuple(sorted(self.allowed())) if rejected is not None else ()
        return Verdict(
            status, self.accepted, rejected, allowed, trace, marks, start,
            len(self.states()), self.note, self.elided,
        )  # fmt: skip


SCHEMA = "vfpath.conform/1"


def render_verdict(verdict: Verdict) -> str:
    """The readable verdict: "conforms", or where and how the trace left the model."""
    if verdict.rejected is None:
        noun = "observation" if verdict.accepted == 1 else "observations"
        return (
            f"conforms: {verdict.accepted} {noun} accepted, "
            f"{verdict.states} model states consistent at the end"
        )
    obs = verdict.rejected
    head = "inconclusive" if verdict.status is VerdictStatus.INCONCLUSIVE else "does not conform"
    text = obs.text or (obs.key or "") + (f" {dict(obs.fields)}" if obs.fields else "")
    lines = [f"{head} at {obs.location}: {text}"]
    if verdict.note:
        lines.append(f"  note: {verdict.note}")
    lines.append(
        f"  the model allowed there: {', '.join(verdict.allowed) or '(nothing observable)'}"
    )
    steps = verdict.trace.steps
    if verdict.elided:
        lines.append(
            f"  model path through the last accepted observations ({len(steps)} steps; the "
            f"{verdict.elided:,} observations before them are not kept):"
        )
    else:
        lines.append(f"  model path through the accepted prefix ({len(steps)} steps):")
    for st in steps:
        if verdict.log_start and st.index == verdict.log_start + 1:
            lines.append("    -- the log starts here --")
        mark = verdict.marks.get(st.index)
        tail = f"   <- {mark.location}" if mark is not None else ""
        lines.append(f"    {st.index:>3}. {st.label}{tail}")
    return "\n".join(lines)


def verdict_to_dict(verdict: Verdict) -> dict[str, Any]:
    """The verdict as one JSON-ready document with a schema version."""
    from .report import trace_to_dict

    obs = verdict.rejected
    return {
        "schema": SCHEMA,
        "status": verdict.status.name.lower(),
        "conforms": bool(verdict),
        "accepted": verdict.accepted,
        "consistent_states": verdict.states,
        "note": verdict.note or None,
        "rejected": None
        if obs is None
        else {
            "where": obs.location,
            "line": obs.line,
            "text": obs.text,
            "event": obs.key,
            "fields": dict(obs.fields),
        },
        "allowed": list(verdict.allowed),
        "log_start": verdict.log_start,
        "elided_observations": verdict.elided,
        "marks": {str(k): v.location for k, v in sorted(verdict.marks.items())},
        "trace": trace_to_dict(verdict.trace),
    }
