"""``vfpath simulate``: random walks on any configuration, checking the safety properties.

Where ``vfpath check`` is exhaustive and stops at small configurations, walks run on the
compiled product at any size and stop at the first ALWAYS property (or channel bound) they break.
Finding nothing proves nothing; the report says so. The walks depend on ``--seed`` only, so a
counterexample can be reproduced by re-running the same command.

A thin layer over the API: the system comes from ``vfpath.api.build_system`` (looked up at call
time, so tests can substitute a domain-free system) and the walks from
``vfpath.checker.simulate.simulate``.

Exit codes: 0 no violation found; 1 a property is violated; 2 bad input (``vfpath.cli.main``
maps it).
"""

from __future__ import annotations

from typing import Any

import click

from vfpath.checker.report import render_trace, trace_to_dict
from vfpath.checker.simulate import SimulationResult, simulate

from . import EXIT_VIOLATED
from ._common import (
    build_sriov,
    config_options,
    echo_report,
    json_option,
    make_config,
    reported_config,
    user_model_options,
    with_user_model,
    write_json,
)

__all__ = ["SCHEMA", "command", "parse_weights", "result_to_dict"]

SCHEMA = "vfpath.simulate/1"
EXIT_OK = 0


def parse_weights(items: tuple[str, ...]) -> dict[str, int]:
    """``("GLOB=W", ...)`` as a dict; a malformed item is a usage error (exit 2)."""
    out: dict[str, int] = {}
    for item in items:
        glob, sep, value = item.rpartition("=")
        if not sep or not glob:
            raise click.BadParameter(f"{item!r} is not GLOB=WEIGHT", param_hint="--weight")
        try:
            weight = int(value)
        except ValueError:
            raise click.BadParameter(
                f"{item!r}: weight {value!r} is not an integer", param_hint="--weight"
            ) from None
        out[glob] = weight
    return out


def result_to_dict(result: SimulationResult, config: dict[str, Any], asked: int) -> dict[str, Any]:
    """The JSON document (schema ``vfpath.simulate/1``); no timings, so it is reproducible."""
    v = result.violation
    return {
        "schema": SCHEMA,
        "system": result.system,
        "config": config,
        "seed": result.seed,
        "runs": asked,
        "runs_taken": result.runs,
        "steps": result.steps,
        "distinct_states": result.distinct_states,
        "stuck": result.stuck,
        "violation": None
        if v is None
        else {
            "property": v.property,
            "description": v.description,
            "note": v.note,
            "run": v.run,
            "steps_before_shrinking": v.raw_length,
            "counterexample": trace_to_dict(v.trace),
        },
    }


def render_text(result: SimulationResult, config: dict[str, Any], asked: int) -> str:
    """The readable summary and, if a walk broke a property, its counterexample."""
    where = ", ".join(f"{k}={v}" for k, v in config.items())
    lines = [
        f"simulate {result.system} ({where}), seed {result.seed}",
        f"  runs: {result.runs} of {asked}",
        f"  steps: {result.steps}",
        f"  distinct states: {result.distinct_states}",
        f"  walks stuck (no enabled move): {result.stuck}",
    ]
    v = result.violation
    if v is None:
        lines.append("  violations: none found (random walks prove nothing; `vfpath check` does)")
        return "\n".join(lines)
    lines.append("  violations: 1")
    lines.append("")
    cut = f", {v.raw_length} before loops were cut" if v.raw_length != len(v.trace) else ""
    lines.append(f"VIOLATED {v.property}  (run {v.run + 1}{cut})")
    if v.description:
        lines.append(f"  {v.description}")
    lines.extend(render_trace(v.trace))
    return "\n".join(lines)


@click.command("simulate")
@click.option(
    "--steps",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    metavar="N",
    help="Steps per walk.",
)
@click.option("--seed", type=int, default=0, show_default=True, metavar="S", help="Random seed.")
@click.option(
    "--runs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    metavar="R",
    help="Number of walks (each starts at the initial state).",
)
@click.option(
    "--weight",
    "weights",
    multiple=True,
    metavar="GLOB=W",
    help="Bias the choice of moves whose label matches GLOB (default weight 1; 0 = only when "
    "nothing else is enabled). Repeatable; the first matching GLOB wins.",
)
@config_options
@user_model_options
@json_option
def command(
    steps: int,
    seed: int,
    runs: int,
    weights: tuple[str, ...],
    vms: int,
    vfs: int,
    hosts: int,
    guest: str,
    reconfigure: bool,
    vnics: int,
    serials: str,
    variant: str | None,
    model_ref: str | None,
    as_json: bool,
) -> int:
    """Random walks from the initial state, checking every safety property at every step.

    Exit status: 0 no violation found, 1 a property is violated, 2 bad input.
    """
    wts = parse_weights(weights)
    system = build_sriov(make_config(vms, vfs, hosts, guest, reconfigure, vnics, serials))
    if variant is not None or model_ref is not None:
        system = with_user_model(system, variant, model_ref, guest)
    config = reported_config(vms, vfs, hosts, reconfigure, vnics, serials)
    result = simulate(system, steps, seed, runs, weights=wts or None)
    if as_json:
        write_json(result_to_dict(result, config, runs))
    else:
        echo_report(render_text(result, config, runs))
    return EXIT_OK if result.violation is None else EXIT_VIOLATED
