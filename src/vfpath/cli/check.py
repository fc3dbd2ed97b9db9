"""``vfpath check``: explore a configuration exhaustively and judge every property.

A thin layer over the API: the system comes from ``vfpath.api.build_system`` (looked up at call
time, so tests can substitute a domain-free system), the verdicts from ``vfpath.checker.check``,
the text from ``checker.report.render_text`` and the JSON from ``checker.report.result_to_dict``.

Exit codes: 0 every property holds on a complete exploration; 1 a property is violated (or
vacuous: its antecedent is never reached, so it proves nothing); 3 inconclusive (a limit
stopped the exploration before a verdict); 2 bad input (``vfpath.cli.main`` maps it).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import click

from vfpath.checker import CheckResult, Options, Property, Status, System, check
from vfpath.checker.check import builtin_properties
from vfpath.checker.errors import VfpathError
from vfpath.checker.report import render_text, result_to_dict

from . import EXIT_INCONCLUSIVE, EXIT_VIOLATED
from ._common import (
    ProgressLine,
    Staged,
    build_sriov,
    checked_output_dir,
    checked_output_file,
    config_options,
    echo_report,
    engine_option,
    json_option,
    make_config,
    reported_config,
    user_model_options,
    with_user_model,
    write_json,
)

__all__ = ["LIST_SCHEMA", "command", "exit_code", "write_itf"]

LIST_SCHEMA = "vfpath.properties/1"
EXIT_OK = 0


def _list_failures(ctx: click.Context, names: tuple[str, ...]) -> tuple[str, ...]:
    """``--may-fail list`` prints the failure points and their sources, then exits 0; an
    unknown name is bad input before any work."""
    from vfpath.model.failures import FALLIBLE

    if "list" in names:
        for point in FALLIBLE.values():
            click.echo(f"{point.name}: {point.actor} ({point.source})")
        ctx.exit(0)
    unknown = [n for n in names if n not in FALLIBLE]
    if unknown:
        raise click.BadParameter(
            f"unknown failure point {unknown[0]!r}; the known ones are {', '.join(FALLIBLE)}"
        )
    return names


def exit_code(result: CheckResult) -> int:
    """The verdict as an exit status: a violation beats a limit; a limit beats vacuity."""
    statuses = {p.status for p in result.properties}
    if Status.VIOLATED in statuses:
        return EXIT_VIOLATED
    if not result.complete or Status.UNKNOWN in statuses:
        return EXIT_INCONCLUSIVE
    if Status.VACUOUS in statuses:
        return EXIT_VIOLATED
    return EXIT_OK


def write_itf(result: CheckResult, directory: Path) -> list[Path]:
    """:func:`vfpath.checker.export.write_itf`, its failure as a click error."""
    from vfpath.checker.export import write_itf as write

    try:
        return write(result, directory)
    except VfpathError as e:
        raise click.ClickException(str(e)) from None


def _listing(system: System, options: Options) -> list[dict[str, Any]]:
    def row(p: Property, builtin: bool) -> dict[str, Any]:
        return {
            "name": p.name,
            "kind": p.expectation.value,
            "description": p.description,
            "source": p.source or ("built in" if builtin else ""),
            "builtin": builtin,
            "fairness": [
                {"moves": f.pattern, "strong": f.strong, "reason": f.reason} for f in p.fairness
            ],
        }

    return [row(p, True) for p in builtin_properties(options)] + [
        row(p, False) for p in system.properties
    ]


def _print_listing(system: System, rows: list[dict[str, Any]]) -> None:
    click.echo(f"{len(rows)} properties of {system.name}:")
    for r in rows:
        click.echo(f"  {r['name']}  ({r['kind']})")
        if r["description"]:
            click.echo(f"      {r['description']}")
        click.echo(f"      source: {r['source'] or '(none given)'}")
        fair = r["fairness"]
        if fair:
            strong = [f["moves"] for f in fair if f["strong"]]
            click.echo(
                f"      fairness: weak on {len(fair) - len(strong)} move patterns"
                + (f", strong on {', '.join(strong)}" if strong else "")
            )
    reasons = {(f["moves"], f["strong"]): f["reason"] for r in rows for f in r["fairness"]}
    if reasons:
        click.echo(f"\nFairness assumptions ({len(reasons)}), and why the real system gives each:")
        for (moves, strong), why in reasons.items():
            kind = "strong" if strong else "weak"
            click.echo(f"  {kind:6} {moves}: {why or '(no reason given)'}")
    skipped: dict[str, str] = system.meta.get("not_modelled", {})
    if skipped:
        click.echo(f"\nNot modelled ({len(skipped)}):")
        for key, why in skipped.items():
            click.echo(f"  {key}: {why}")


def _coverage(system: System, options: Options) -> Any:
    """Per actor class: transitions never taken and events never enabled. A separate, plain
    exploration (no properties, no reduction), so it speaks of every reachable state; it
    shows progress as the check does (``options.progress``)."""
    from vfpath.checker.coverage import coverage
    from vfpath.checker.explore import explore

    product = system.build()
    plain = dataclasses.replace(options, symmetry=False)
    return coverage(product, explore(product, [], plain))


def _symmetry_line(info: dict[str, object]) -> str:
    """One line on the symmetry reduction: its status, or the orbits and the factor."""
    if "orbits" not in info:
        return f"symmetry: {info.get('status', 'off')}"
    hold = "hold" if info.get("exact") else "hold at most"
    return (
        f"symmetry: on, group of {info['group']}: {info['orbits']:,} orbits {hold} "
        f"{info['states']:,} states (reduction x{info['factor']:.2f})"
    )


@click.command("check")
@config_options
@click.option(
    "--max-states",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Stop after N distinct states (the verdict is then inconclusive, exit 3).",
)
@click.option(
    "--max-memory",
    type=click.IntRange(min=1),
    default=None,
    metavar="MB",
    help="Stop when the process's peak memory exceeds MB mebibytes (exit 3).",
)
@click.option("--no-deadlock", is_flag=True, help="Do not report deadlocks.")
@click.option(
    "--safety-only",
    is_flag=True,
    help="Skip the liveness properties (faster; lets symmetry reduction apply).",
)
@click.option(
    "--no-symmetry",
    is_flag=True,
    help="Explore every state, not one per orbit of interchangeable VMs, hosts and VFs "
    "(symmetry is used only where sound: never with liveness properties).",
)
@click.option(
    "--list", "list_only", is_flag=True, help="List every property (description, source); no run."
)
@click.option(
    "--itf",
    "itf_dir",
    type=str,
    default=None,
    metavar="DIR",
    help="Write each counterexample to DIR/<property>.itf.json (Informal Trace Format).",
)
@click.option(
    "--diagram",
    "diagram_dir",
    type=str,
    default=None,
    metavar="DIR",
    help="Write each counterexample as a sequence chart: DIR/<property>.svg and .mmd (Mermaid).",
)
@click.option(
    "--coverage",
    "show_coverage",
    is_flag=True,
    help="Also list, per actor class, transitions never taken and events never enabled.",
)
@engine_option
@click.option(
    "--fingerprint",
    is_flag=True,
    help="Keep a 64-bit fingerprint per state instead of the state (as TLC does): less memory, "
    "more than 2**31 states; a 'holds' is then probabilistic and the collision estimate is "
    "printed. Without it, a run switches by itself past 10**9 states, saying so. Not with "
    "liveness properties (use --safety-only), --graph or --coverage.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    metavar="N",
    help="Threads in the compiled core: N - 1 stage states ahead of the one that stores them, "
    "and liveness properties are searched side by side; the results are those of one (the "
    "Python engine, a core built without OpenMP, or fingerprint mode runs one and says so).",
)
@user_model_options
@click.option(
    "--may-fail",
    "may_fail",
    multiple=True,
    metavar="STEP",
    help="Let a step that can fail in the real system fail too (repeatable; "
    "'--may-fail list' lists them), e.g. vmbus-send.",
    callback=lambda ctx, p, v: _list_failures(ctx, v),
    expose_value=True,
)
@click.option(
    "--graph",
    "graph_file",
    type=str,
    default=None,
    metavar="FILE",
    help="Write the explored product as GraphML (networkx, yEd, Gephi); refused above "
    "200,000 states.",
)
@json_option
def command(
    vms: int,
    vfs: int,
    hosts: int,
    guest: str,
    reconfigure: bool,
    vnics: int,
    serials: str,
    variant: str | None,
    model_ref: str | None,
    may_fail: tuple[str, ...],
    max_states: int | None,
    max_memory: int | None,
    no_deadlock: bool,
    safety_only: bool,
    no_symmetry: bool,
    list_only: bool,
    itf_dir: str | None,
    diagram_dir: str | None,
    show_coverage: bool,
    graph_file: str | None,
    as_json: bool,
    engine: str = "compiled",
    fingerprint: bool = False,
    workers: int = 1,
) -> int:
    """Explore every reachable state of a configuration and judge every property.

    Exit status: 0 all hold, 1 a property is violated or vacuous, 2 bad input, 3 inconclusive
    (a limit was hit). Output folders are checked before the run; if writing them fails
    after it, the report is still printed and the status is still the verdict's.
    """
    _refuse_with_fingerprint(
        fingerprint, graph=graph_file, coverage=show_coverage, engine=engine != "compiled"
    )
    itf = checked_output_dir(itf_dir, "'--itf'")
    charts_dir = checked_output_dir(diagram_dir, "'--diagram'")
    graph_path = checked_output_file(graph_file, "'--graph'")
    system = build_sriov(make_config(vms, vfs, hosts, guest, reconfigure, vnics, serials))
    if variant is not None or model_ref is not None:
        system = with_user_model(system, variant, model_ref, guest)
    if may_fail:
        from vfpath.model.failures import may_fail as failing

        system = failing(system, *may_fail)
    if safety_only:
        system.properties[:] = [p for p in system.properties if not p.expectation.is_liveness]
    options = Options(
        max_states=max_states,
        max_memory_mb=max_memory,
        deadlock=not no_deadlock,
        symmetry=not no_symmetry,
        engine=engine,
        fingerprint=fingerprint,
        workers=workers,
    )
    if graph_path is not None:
        from vfpath.checker.export import GRAPH_LIMIT

        # stop one state past the limit rather than hold a graph too big to write
        cap = GRAPH_LIMIT + 1 if max_states is None else min(max_states, GRAPH_LIMIT + 1)
        options = dataclasses.replace(options, graph=True, max_states=cap)
    config = reported_config(vms, vfs, hosts, reconfigure, vnics, serials)
    if list_only:
        rows = _listing(system, options)
        if as_json:
            write_json(
                {
                    "schema": LIST_SCHEMA,
                    "system": system.name,
                    "config": config,
                    "properties": rows,
                    "not_modelled": system.meta.get("not_modelled", {}),
                }
            )
        else:
            _print_listing(system, rows)
        return EXIT_OK
    with ProgressLine() as progress:
        run = dataclasses.replace(options, progress=progress, notify=progress.note)
        result = check(system, run)
        cov = (
            _coverage(system, dataclasses.replace(options, progress=progress))
            if show_coverage
            else None
        )
    result.extra["config"] = config
    if graph_path is not None:
        from vfpath.checker.export import GRAPH_LIMIT, write_graphml

        if result.stats.states > GRAPH_LIMIT:
            raise VfpathError(
                f"--graph: the product has more than {GRAPH_LIMIT:,} states, the most "
                "written as GraphML; check a smaller configuration (e.g. --vms 1)"
            )
        write_graphml(result.graph(), system.build(), graph_path)
        result.extra["graph"] = str(graph_path)
    if cov is not None:
        result.extra["coverage"] = cov.to_dict()
    failed = _write_outputs(result, itf, charts_dir)
    if as_json:
        write_json(result_to_dict(result))
    else:
        echo_report(render_text(result, color=False))
        click.echo(_symmetry_line(result.extra.get("symmetry", {})))
        click.echo(f"engine: {result.extra.get('engine', 'python')}")
        if result.extra.get("itf"):
            click.echo(f"\nITF traces written: {', '.join(result.extra['itf'])}")
        if result.extra.get("graph"):
            click.echo(f"\nProduct graph written: {result.extra['graph']}")
        if result.extra.get("diagrams"):
            click.echo(f"\nSequence charts written: {', '.join(result.extra['diagrams'])}")
        if cov is not None:
            from vfpath.checker.coverage import render_coverage

            click.echo("\n" + render_coverage(cov))
    if failed:
        click.echo(f"vfpath: {failed}; nothing was written", err=True)
    return exit_code(result)


def _refuse_with_fingerprint(fingerprint: bool, **others: object) -> None:
    """``--fingerprint`` keeps neither the states nor the graph: refuse the options that need
    them before any work (liveness properties are refused by the engine itself)."""
    used = [name for name, value in others.items() if value]
    if fingerprint and used:
        flag = "--engine python" if used[0] == "engine" else f"--{used[0]}"
        raise click.UsageError(
            f"--fingerprint cannot be combined with {flag}: it needs every state or the "
            "compiled core"
        )


def _write_outputs(result: CheckResult, itf: Path | None, charts_dir: Path | None) -> str:
    """Write the run's ITF traces and sequence charts, all or nothing; the error, if any.

    A failure is reported, never raised: the verdict is worth more than its files."""
    if itf is None and charts_dir is None:
        return ""
    staged = Staged()
    try:
        itf_names: list[str] = []
        chart_names: list[str] = []
        if itf is not None:
            itf_names = [p.name for p in write_itf(result, staged.folder(itf))]
        if charts_dir is not None:
            from .diagrams import write_violation_charts

            stage = staged.folder(charts_dir)
            charts = write_violation_charts(result, stage, warn=lambda m: click.echo(m, err=True))
            chart_names = [p.name for p in charts]
        staged.commit()
    except (OSError, click.ClickException) as e:
        staged.abort()
        what = e.format_message() if isinstance(e, click.ClickException) else str(e)
        result.extra["write_error"] = what
        return what
    if itf is not None:
        result.extra["itf"] = [str(itf / n) for n in itf_names]
    if charts_dir is not None:
        result.extra["diagrams"] = [str(charts_dir / n) for n in chart_names]
    return ""
