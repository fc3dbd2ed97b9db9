"""Coverage of the actor classes by an exploration: what the configuration never exercises.

A transition (one row of an actor's compiled table: source, event, target, and its index among
the rows of that source and event) is taken when some explored state enables a move in which an
instance of the class fires that row; an event is enabled when some such move exists. Results
are aggregated per class over its instances, so a row counts as covered if any instance took it.

Untaken rows point at guards that never hold in this configuration, dead states, or events the
wiring never offers (an event in a synchronisation whose partners are never ready together).
A step that would overflow a channel still counts: the row fired, and the overflow is reported
by the ``channels-bounded`` property.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .explore import Exploration
from .product import Product

__all__ = ["ClassCoverage", "Coverage", "TransitionRef", "coverage", "render_coverage"]


@dataclass(frozen=True)
class TransitionRef:
    """One row of an actor table, named by state ids: ``row`` orders rows of one source+event."""

    source: str
    event: str
    target: str
    row: int

    def __str__(self) -> str:
        tag = f" (row {self.row})" if self.row else ""
        return f"{self.source} --{self.event}--> {self.target}{tag}"


@dataclass(frozen=True)
class ClassCoverage:
    """What one actor class, over all its instances, never did."""

    name: str
    instances: tuple[str, ...]
    transitions: int
    untaken: tuple[TransitionRef, ...]
    events: int
    never_enabled: tuple[str, ...]
    states: int
    unreached: tuple[str, ...]
    by_design: tuple[tuple[TransitionRef, str], ...] = ()  # untaken, with the class's reason

    @property
    def taken(self) -> int:
        return self.transitions - len(self.untaken) - len(self.by_design)


@dataclass(frozen=True)
class Coverage:
    """Per-class coverage of one exploration; ``complete`` False means a limit cut it short."""

    system: str
    explored: int
    complete: bool
    classes: tuple[ClassCoverage, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (lists of plain strings and numbers)."""
        return {
            "system": self.system,
            "explored_states": self.explored,
            "complete": self.complete,
            "classes": [
                {
                    "class": c.name,
                    "instances": list(c.instances),
                    "transitions": c.transitions,
                    "taken": c.taken,
                    "untaken": [
                        {"source": t.source, "event": t.event, "target": t.target, "row": t.row}
                        for t in c.untaken
                    ],
                    "by_design": [
                        {"source": t.source, "event": t.event, "target": t.target, "why": why}
                        for t, why in c.by_design
                    ],
                    "events": c.events,
                    "never_enabled": list(c.never_enabled),
                    "states": c.states,
                    "unreached": list(c.unreached),
                }
                for c in self.classes
            ],
        }


def coverage(product: Product, ex: Exploration) -> Coverage:
    """Which rows, events and states of each actor class the explored states never exercise.

    Enabled moves are recomputed with ``product.successors`` (memoised, so cheap); the row an
    instance fires is looked up with ``product.which_row`` only where its table has several rows
    for that source and event.
    """
    ncls: dict[type, int] = {}  # class -> position, in order of first instance
    for t in product.tables:
        ncls.setdefault(t.cls, len(ncls))
    taken: list[set[tuple[int, str, int]]] = [set() for _ in ncls]
    enabled: list[set[str]] = [set() for _ in ncls]
    reached: list[set[int]] = [set() for _ in ncls]
    cls_of = [ncls[t.cls] for t in product.tables]
    offsets = product.offsets
    tables = product.tables
    moves = product.moves
    for state in ex.states:
        for i, o in enumerate(offsets):
            reached[cls_of[i]].add(state[o])
        for m, _nxt in product.successors(state):
            for i, ev in moves[m].parts:
                code = state[offsets[i]]
                rows = tables[i].rows[(code, ev)]
                row = 0 if len(rows) == 1 else product.which_row(i, ev, state)
                if row is None:  # pragma: no cover - a move fired, so a row matched
                    continue
                c = cls_of[i]
                taken[c].add((code, ev, row))
                enabled[c].add(ev)
    out: list[ClassCoverage] = []
    for cls, c in ncls.items():
        table = next(t for t in tables if t.cls is cls)
        insts = tuple(n for n, k in zip(product.names, cls_of, strict=True) if k == c)
        evorder = {e: k for k, e in enumerate(table.events)}
        listed = sorted(
            (code, evorder[event], k, event, row.target)
            for (code, event), rs in table.rows.items()
            for k, row in enumerate(rs)
        )
        missed = [
            TransitionRef(table.states[code], event, table.states[target], k)
            for code, _e, k, event, target in listed
            if (code, event, k) not in taken[c]
        ]
        hooks: dict[str, str] = getattr(cls, "hooks", {})
        why = {t: hooks.get(f"{t.source}:{t.event}") or hooks.get(t.event) for t in missed}
        untaken = [t for t in missed if not why[t]]
        by_design = tuple((t, why[t]) for t in missed if why[t])
        out.append(
            ClassCoverage(
                name=cls.__name__,
                instances=insts,
                transitions=len(listed),
                untaken=tuple(untaken),
                events=len(table.events),
                never_enabled=tuple(e for e in table.events if e not in enabled[c]),
                states=len(table.states),
                unreached=tuple(s for k, s in enumerate(table.states) if k not in reached[c]),
                by_design=by_design,  # type: ignore[arg-type]
            )
        )
    return Coverage(product.system.name, len(ex.states), ex.complete, tuple(out))


def render_coverage(cov: Coverage) -> str:
    """A readable coverage report: one block per class, listing only what was missed."""
    lines = [
        f"coverage of {cov.system} over {cov.explored:,} explored states"
        + ("" if cov.complete else " (INCOMPLETE exploration: misses may be reachable)")
    ]
    for c in cov.classes:
        lines.append("")
        lines.append(
            f"{c.name} ({', '.join(c.instances)}): {c.taken}/{c.transitions} transitions taken, "
            f"{c.events - len(c.never_enabled)}/{c.events} events enabled, "
            f"{c.states - len(c.unreached)}/{c.states} states reached"
        )
        if c.untaken:
            lines.append("  transitions never taken:")
            lines.extend(f"    {t}" for t in c.untaken)
        if c.by_design:
            lines.append("  never taken here by design (the class's hooks):")
            lines.extend(f"    {t}: {why}" for t, why in c.by_design)
        if c.never_enabled:
            lines.append(f"  events never enabled: {', '.join(c.never_enabled)}")
        if c.unreached:
            lines.append(f"  states never reached: {', '.join(c.unreached)}")
    return "\n".join(lines)
