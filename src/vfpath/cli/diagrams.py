"""``vfpath diagrams``: the pictures a design review looks at, written into one folder.

For every actor class of the default system, a state diagram (``actor-<Class>``). For the
smallest configuration (1 VM, 1 VF, 1 host: 370 states, 1,071 moves, 51 s in ``dot`` and
unreadable when drawn state by state) the explored product as quotient graphs (:data:`VIEWS`):
states grouped by a few actors' control states, coloured by the data path the model's
``datapath_of(view, vm_index)`` selects, groups holding a state that violates an invariant
outlined in red. Above the limit (``--limit`` groups, or twice as many edges) a view is replaced
by a summary by data path, and a message on stderr says so. Each file is written atomically and
its render time is printed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from vfpath.checker.diagram import (
    DEFAULT_NODE_LIMIT,
    DiagramError,
    Graph,
    Projection,
    actor_graph,
    control_states,
    parse_formats,
    quotient_graph,
    write_diagram,
)
from vfpath.checker.explore import Options, explore
from vfpath.checker.properties import Expectation, Property
from vfpath.checker.result import CheckResult
from vfpath.checker.system import System
from vfpath.checker.view import StateView

from ._common import checked_output_dir, guest_option

__all__ = [
    "DATAPATH_PALETTE",
    "SMALLEST",
    "VIEWS",
    "View",
    "command",
    "generate",
    "write_violation_charts",
]

DATAPATH_PALETTE = {"synthetic": "#9ecae1", "vf": "#a1d99b", "none": "#d9d9d9"}
SMALLEST = {"vms": 1, "vfs": 1, "hosts": 1}
PRODUCT_STEM = "product-1vm-1vf-1host"
# exploring more than this to draw a picture is not worth the wait; the summary says it stopped
MAX_EXPLORED = 200_000


def _classifier() -> Callable[[StateView], str] | None:
    """The model's data-path classifier for VM 0, or None if the model does not provide one."""
    import vfpath.model

    datapath_of = getattr(vfpath.model, "datapath_of", None)
    if datapath_of is None:
        return None
    return lambda view: str(datapath_of(view, 0))


def _violating(props: list[Property]) -> Callable[[StateView], bool] | None:
    invariants = [p for p in props if p.expectation is Expectation.ALWAYS]
    if not invariants:
        return None

    def bad(view: StateView) -> bool:
        return any((p.when is None or p.when(view)) and not p.check(view) for p in invariants)

    return bad


@dataclass(frozen=True)
class View:
    """One picture of the smallest configuration: states grouped by some instances' states.

    ``labels`` are the names shown for ``instances``; ``by_datapath`` also splits groups by the
    data path, so that each group has exactly one colour.
    """

    stem: str
    title: str
    instances: tuple[str, ...]
    labels: tuple[str, ...]
    by_datapath: bool = False


# Chosen by measuring Config(1, 1, 1) (370 states, 1,071 moves). Grouping by NetVSP x NetVSC
# gives 24 groups and 47 edges, and the data path is already a function of the group. The VF's
# holders (VMStack x VF miniport x binding) give 17 groups whose data paths mix, 22 groups and
# 38 edges once split by data path. All five protocol actors together: 100 groups, 221 edges.
VIEWS = (
    View(
        PRODUCT_STEM,
        "the switch handshake (host NetVSP x guest NetVSC)",
        ("netvsp[0]", "netvsc[0]"),
        ("NetVSP", "NetVSC"),
    ),
    View(
        f"{PRODUCT_STEM}-vf",
        "the VF's life (host VMStack x guest VF miniport x NDIS binding)",
        ("vmstack[0]", "vfmp[0]", "binding[0]"),
        ("VMStack", "VF miniport", "binding"),
        by_datapath=True,
    ),
)


def _short_move(label: str) -> str:
    """Drop the indices a one-VM, one-VF, one-host configuration always has."""
    return label.replace("(nic[0], vf 0)", "").replace("[0]", "")


def _views(system: System) -> list[View]:
    """The SR-IOV views when the system has their instances; else one view of every instance."""
    present = [v for v in VIEWS if all(i in system.instances for i in v.instances)]
    if present:
        return present
    every = tuple(system.instances)
    return [View(PRODUCT_STEM, "every instance's control state", every, every)]


def _with(project: Projection, classify: Callable[[StateView], str]) -> Projection:
    return lambda view: (*project(view), f"data path: {classify(view)}")


def product_diagrams(system: System, limit: int) -> list[tuple[str, Graph]]:
    """The views of ``system``'s product, coloured by data path when the model says how."""
    product = system.build()
    ex = explore(product, [], Options(graph=True, deadlock=False, max_states=MAX_EXPLORED))
    classify = _classifier()
    violating = _violating(list(system.properties))
    out = []
    for view in _views(system):
        project = control_states(view.instances, view.labels)
        if view.by_datapath and classify is not None:
            project = _with(project, classify)
        graph = quotient_graph(
            ex,
            project,
            classify=classify,
            palette=DATAPATH_PALETTE if classify is not None else None,
            violating=violating,
            move_label=_short_move,
            limit=limit,
            edge_limit=2 * limit,
            name=view.stem,
            title=f"{system.name}: {view.title}",
        )
        if classify is None:
            graph.notes.append("the model provides no datapath_of(): nodes are not coloured")
        if not ex.complete:
            graph.notes.append(f"exploration stopped at the {ex.stop_reason}: the graph is partial")
        out.append((view.stem, graph))
    return out


def generate(
    out_dir: Path,
    formats: list[str],
    limit: int = DEFAULT_NODE_LIMIT,
    echo: Callable[[str], Any] = print,
    warn: Callable[[str], Any] = print,
    guest: str = "reference",
) -> list[tuple[Path, float]]:
    """Write every diagram of guest profile ``guest`` into ``out_dir``; returns ``(path,
    seconds)`` per file written."""
    import vfpath.api  # looked up at call time so tests can substitute build_system

    system = vfpath.api.build_system(vfpath.api.Config(guest=guest))
    classes = {spec.cls.__name__: spec.cls for spec in system.instances.values()}
    diagrams: list[tuple[str, Graph]] = [
        (f"actor-{name}", actor_graph(classes[name])) for name in sorted(classes)
    ]
    small = vfpath.api.build_system(vfpath.api.Config(**SMALLEST, guest=guest))
    for stem, graph in product_diagrams(small, limit):
        for note in graph.notes:
            warn(f"{stem}: {note}")
        diagrams.append((stem, graph))
    written = []
    for stem, graph in diagrams:
        for w in write_diagram(graph, out_dir, stem, formats):
            echo(f"wrote {w.path} ({w.seconds * 1000:.0f} ms)")
            written.append((w.path, w.seconds))
    return written


def write_violation_charts(
    result: CheckResult, directory: Path, warn: Callable[[str], Any] = print
) -> list[Path]:
    """:func:`vfpath.checker.export.write_charts`, its failure as a click error."""
    from vfpath.checker.errors import VfpathError
    from vfpath.checker.export import write_charts

    try:
        return write_charts(result, directory, warn)
    except VfpathError as e:
        raise click.ClickException(str(e)) from None


@click.command("diagrams")
@click.option(
    "--out",
    "out_dir",
    type=str,
    default="diagrams",
    show_default=True,
    help="Folder to write into (created if missing).",
)
@click.option(
    "--format",
    "formats",
    default="dot,svg",
    show_default=True,
    help="Comma-separated formats: dot, mermaid, png, svg.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=DEFAULT_NODE_LIMIT,
    show_default=True,
    help="Largest product view drawn group by group (groups; edges: twice this); "
    "above it, a summary by data path.",
)
@guest_option()
def command(out_dir: str, formats: str, limit: int, guest: str) -> None:
    """Draw each actor's state machine and the product views of 1 VM, 1 VF, 1 host."""
    out = checked_output_dir(out_dir, "'--out'")
    assert out is not None
    try:
        fmts = parse_formats(formats)
    except DiagramError as e:
        raise click.BadParameter(str(e), param_hint="'--format'") from None
    generate(out, fmts, limit, echo=click.echo, warn=lambda m: click.echo(m, err=True), guest=guest)
