"""Properties named by intent: one dataclass, one expectation enum."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["AllOf", "AnyOf", "Expectation", "Fairness", "Mirror", "Property"]

Predicate = Callable[[Any], bool]


@dataclass(frozen=True)
class AllOf:
    """A predicate that holds when each of ``parts`` holds, declared as a conjunction.

    Why declare it: the checker memoises a predicate as a trie over the slots it reads. One
    predicate "for every VM" reads every VM's slots, and its trie holds the product of their
    situations; each part on its own reads one VM's, and the tries hold their sum. An
    invariant that is an ``AllOf`` is judged part by part: it fails in the first state where
    a part fails, the state where the whole fails. Called, it is ``all`` of the parts.
    """

    parts: tuple[Predicate, ...]

    def __call__(self, s: Any) -> bool:
        return all(p(s) for p in self.parts)


@dataclass(frozen=True)
class AnyOf:
    """A predicate that holds when some part holds (see :class:`AllOf`): a goal or an
    antecedent that is an ``AnyOf`` is judged part by part (first met where a part holds)."""

    parts: tuple[Predicate, ...]

    def __call__(self, s: Any) -> bool:
        return any(p(s) for p in self.parts)


def conjuncts(pred: Predicate) -> list[Predicate]:
    """``pred``'s parts as a conjunction (nested :class:`AllOf` flattened; else itself)."""
    if isinstance(pred, AllOf):
        return [q for p in pred.parts for q in conjuncts(p)]
    return [pred]


def disjuncts(pred: Predicate) -> list[Predicate]:
    """``pred``'s parts as a disjunction (nested :class:`AnyOf` flattened; else itself)."""
    if isinstance(pred, AnyOf):
        return [q for p in pred.parts for q in disjuncts(p)]
    return [pred]


def implies(when: Predicate | None, check: Predicate) -> Predicate:
    """``when -> check`` as one predicate (``check`` itself when there is no ``when``)."""
    if when is None:
        return check
    return lambda view: not when(view) or check(view)


def implication_parts(when: Predicate | None, check: Predicate) -> list[Predicate]:
    """``when -> check`` as the conjunction ``when -> part`` over ``check``'s conjuncts (one
    part: the implication itself). A part reads its conjunct first: it usually holds, and the
    antecedent, often about every instance, is then not read at all."""
    parts = conjuncts(check)
    if when is None:
        return parts
    if len(parts) == 1:
        return [implies(when, check)]

    def part(c: Predicate) -> Predicate:
        return lambda view: c(view) or not when(view)

    return [part(c) for c in parts]


def map_parts(pred: Predicate, f: Callable[[Predicate], Predicate]) -> Predicate:
    """``pred`` with ``f`` applied to each of its innermost parts, the structure kept."""
    if isinstance(pred, AllOf):
        return AllOf(tuple(map_parts(p, f) for p in pred.parts))
    if isinstance(pred, AnyOf):
        return AnyOf(tuple(map_parts(p, f) for p in pred.parts))
    return f(pred)


class Expectation(enum.Enum):
    """What a property expects of the reachable states (Stateright's always/sometimes...)."""

    ALWAYS = "always"  # every reachable state satisfies it (an invariant)
    SOMETIMES = "sometimes"  # some reachable state satisfies it (a reachability goal)
    LEADS_TO = "leads-to"  # whenever P, eventually Q (under fairness)
    ALWAYS_EVENTUALLY = "always-eventually"  # infinitely often P (under fairness)
    DEADLOCK_FREE = "deadlock-free"  # built in: no non-final state without a successor
    BOUNDED = "bounded"  # built in: no channel ever exceeds its capacity

    @property
    def is_liveness(self) -> bool:
        return self in (Expectation.LEADS_TO, Expectation.ALWAYS_EVENTUALLY)


@dataclass(frozen=True)
class Fairness:
    """A fairness assumption: moves whose label matches ``pattern`` (a glob with ``*`` and
    ``?``; brackets are literal) are fair, each on its own.

    ``strong=False`` is weak fairness (a move continuously enabled is eventually taken);
    ``strong=True`` is strong fairness (a move enabled infinitely often is eventually taken).
    ``reason`` says why the real system gives it: a fairness assumption is a claim about the
    system, and a verdict is only as good as it (``check --list`` prints it). ``group=True``
    makes the matched moves one constraint, fairness of their disjunction (TLA+'s
    ``WF_vars(Next_p)`` for a whole process ``p``): if some move of the group stays enabled (or,
    strong, is enabled infinitely often), some move of the group is eventually taken.
    """

    pattern: str
    strong: bool = False
    reason: str = ""
    group: bool = False


@dataclass(frozen=True)
class Mirror:
    """Declares a property the image of property ``of`` under the element ``perm`` of the
    system's declared symmetry (sort name -> image of each index; sorts left out stay fixed):
    its predicates are ``of``'s composed with the inverse renaming, by construction (e.g. the
    same leads-to written for VM 1 instead of VM 0).

    The checker reuses ``of``'s verdict only when the system still has that symmetry: the
    classes it was declared for, params equal up to the renaming, the element fixing the
    initial state and mapping the fairness onto itself (:func:`checker.mirror_gate.mirror_gate`);
    otherwise, or when ``of`` is violated, the property is checked on its own.
    """

    of: str
    perm: tuple[tuple[str, tuple[int, ...]], ...]


@dataclass(frozen=True)
class Property:
    """A named property of a system.

    ``check`` is the predicate over a state view (for LEADS_TO, the Q); ``when`` is the
    antecedent of an invariant or the P of a leads-to: a property whose ``when`` never holds in
    a reachable state is reported vacuous, not holding.

    ``symmetric`` names the sorts of the system's declared symmetry (see
    :mod:`checker.symmetry`) under which the property is invariant by construction: it treats
    every member of each alike (e.g. "for every VM"). A symmetry reduction trusts that; for any
    other sort the property's invariance is checked on every explored state.
    """

    name: str
    expectation: Expectation
    check: Predicate
    when: Predicate | None = None
    description: str = ""
    source: str = ""
    fairness: tuple[Fairness, ...] = field(default=())
    symmetric: tuple[str, ...] = ()
    mirror: Mirror | None = None

    @classmethod
    def always(
        cls,
        name: str,
        check: Predicate,
        *,
        when: Predicate | None = None,
        description: str = "",
        source: str = "",
        symmetric: tuple[str, ...] = (),
    ) -> Property:
        """``when(s) -> check(s)`` in every reachable state."""
        return cls(name, Expectation.ALWAYS, check, when, description, source, symmetric=symmetric)

    @classmethod
    def sometimes(
        cls,
        name: str,
        check: Predicate,
        *,
        description: str = "",
        source: str = "",
        symmetric: tuple[str, ...] = (),
    ) -> Property:
        """Some reachable state satisfies ``check``; the witness path is reported."""
        return cls(
            name, Expectation.SOMETIMES, check, None, description, source, symmetric=symmetric
        )

    @classmethod
    def leads_to(
        cls,
        name: str,
        when: Predicate,
        check: Predicate,
        *,
        fairness: tuple[Fairness, ...] = (),
        description: str = "",
        source: str = "",
        mirror: Mirror | None = None,
    ) -> Property:
        """Whenever ``when`` holds, ``check`` eventually holds, on every fair path."""
        return cls(
            name,
            Expectation.LEADS_TO,
            check,
            when,
            description,
            source,
            fairness,
            mirror=mirror,
        )

    @classmethod
    def always_eventually(
        cls,
        name: str,
        check: Predicate,
        *,
        fairness: tuple[Fairness, ...] = (),
        description: str = "",
        source: str = "",
    ) -> Property:
        """``check`` holds infinitely often on every fair path."""
        return cls(name, Expectation.ALWAYS_EVENTUALLY, check, None, description, source, fairness)
