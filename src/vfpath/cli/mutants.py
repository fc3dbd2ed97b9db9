"""``vfpath mutants``: check every seeded bug of the catalog and print the kill matrix.

The unmodified model is checked first, once per configuration the catalog uses: a variant's
kill means something only if the same properties hold without the bug. A variant is *killed*
when the property its catalog entry names is violated; it *passes* when, in addition, every
``also`` property is violated and the counterexample shows the interleaving described (its key
events in order, none of its absent ones). ``--engine python`` runs the Python engine (the
reference) instead of the compiled core; the report names the engine that ran.

Exit codes: 0 the unmodified model passes in every configuration used and every variant passes;
1 otherwise (a limit that stops an exploration early counts as a failure too); 2 bad input.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import click

from vfpath.checker import CheckResult, Options, Status, Trace, check
from vfpath.checker.errors import VfpathError
from vfpath.model import Config
from vfpath.model.variants import CATALOG, NOT_EXPRESSIBLE, Variant, shows

from . import EXIT_VIOLATED
from ._common import engine_option, guest_option, json_option, write_json

__all__ = [
    "SCHEMA",
    "Kill",
    "Unmodified",
    "check_unmodified",
    "check_variant",
    "command",
    "kill_matrix",
]

SCHEMA = "vfpath.mutants/1"
EXIT_OK = 0
# every catalog variant stops below 400,000 states (the two-NIC ones are the largest); this
# only stops runaways
DEFAULT_MAX_STATES = 2_000_000


@dataclass(frozen=True)
class Kill:
    """The outcome of checking one variant."""

    variant: Variant
    result: CheckResult
    seconds: float  # wall time of the whole check, liveness included

    @property
    def violated(self) -> list[str]:
        return [p.name for p in self.result.violated]

    @property
    def killed(self) -> bool:
        return self.variant.expected in self.violated

    @property
    def counterexample(self) -> Trace | None:
        return self.result[self.variant.expected].counterexample if self.killed else None

    @property
    def shows_interleaving(self) -> bool:
        return shows(self.counterexample, self.variant.key_events, self.variant.absent)

    @property
    def passes(self) -> bool:
        also = all(n in self.violated for n in self.variant.also)
        return self.killed and also and self.shows_interleaving


def check_variant(variant: Variant, options: Options, guest: str = "reference") -> Kill:
    """Check ``variant`` on guest profile ``guest`` with every property of its configuration."""
    system = variant.system(guest)
    names = {p.name for p in system.properties}
    unknown = [n for n in (variant.expected, *variant.also) if n not in names]
    if unknown:
        raise VfpathError(f"variant {variant.name}: no property named {', '.join(unknown)}")
    start = time.perf_counter()
    result = check(system, options)
    return Kill(variant, result, time.perf_counter() - start)


@dataclass(frozen=True)
class Unmodified:
    """The check of the model without any variant, in one configuration."""

    config: Config
    result: CheckResult
    seconds: float

    @property
    def passes(self) -> bool:
        return bool(self.result)


def check_unmodified(config: Config, options: Options) -> Unmodified:
    """The model without any variant, with the same properties the variants are checked with."""
    from vfpath import api

    start = time.perf_counter()
    result = check(api.build_system(config), options)
    return Unmodified(config, result, time.perf_counter() - start)


def _configs(variants: Sequence[Variant]) -> list[Config]:
    seen: list[Config] = []
    for v in variants:
        if v.config not in seen:
            seen.append(v.config)
    return seen


def kill_matrix(
    variants: Sequence[Variant], options: Options, guest: str = "reference"
) -> tuple[list[Unmodified], list[Kill]]:
    """Check the unmodified model on each configuration used, then every variant, all on guest
    profile ``guest`` (a kill means something only where the unmodified profile passes)."""
    configs = [dataclasses.replace(c, guest=guest) for c in _configs(variants)]
    base = [check_unmodified(c, options) for c in configs]
    return base, [check_variant(v, options, guest) for v in variants]


def _cfg(c: Config) -> str:
    """vms/vfs/hosts, then the NICs per VM and the serials where they are not the default."""
    text = f"{c.vms}/{c.vfs}/{c.hosts}"
    if c.vnics > 1:
        text += f" x{c.vnics} NICs"
    text += "" if c.serials == "vf" else f", serials per {c.serials}"
    return text + (", reconfigure" if c.reconfigure else "")


def _not_holding(result: CheckResult) -> list[str]:
    return [
        f"{p.name} ({p.status.value})" for p in result.properties if p.status is not Status.HOLDS
    ]


def _cfg_dict(c: Config) -> dict[str, Any]:
    return {"vms": c.vms, "vfs": c.vfs, "hosts": c.hosts, "vnics": c.vnics, "serials": c.serials}


def to_dict(base: list[Unmodified], kills: list[Kill], ok: bool) -> dict[str, Any]:
    """The JSON document (schema ``vfpath.mutants/1``)."""
    return {
        "schema": SCHEMA,
        "ok": ok,
        "unmodified": [
            {
                "config": _cfg_dict(u.config),
                "passes": u.passes,
                "not_holding": _not_holding(u.result),
                "states": u.result.stats.states,
                "complete": u.result.complete,
                "engine": u.result.extra.get("engine", "python"),
                "seconds": round(u.seconds, 3),
            }
            for u in base
        ],
        "variants": [
            {
                "name": k.variant.name,
                "source": k.variant.source,
                "description": k.variant.description,
                "replaces": {n: cls.__name__ for n, cls in k.variant.replacements.items()},
                "config": _cfg_dict(k.variant.config),
                "expected": k.variant.expected,
                "also_expected": list(k.variant.also),
                "killed": k.killed,
                "passes": k.passes,
                "shows_interleaving": k.shows_interleaving,
                "counterexample": None if k.counterexample is None else k.counterexample.labels,
                "violated": k.violated,
                "states": k.result.stats.states,
                "complete": k.result.complete,
                "engine": k.result.extra.get("engine", "python"),
                "seconds": round(k.seconds, 3),
            }
            for k in kills
        ],
        "not_expressible": dict(NOT_EXPRESSIBLE),
    }


def short(name: str) -> str:
    """``S14`` for ``S14-traffic-always-has-a-working-path``; other names stay whole."""
    m = re.match(r"[SL]\d+(?=-)", name)
    return m.group(0) if m else name


def _table(header: Sequence[str], rows: list[Sequence[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()  # noqa: E731
    return [fmt(header), fmt(["-" * w for w in widths]), *(fmt(r) for r in rows)]


def render(base: list[Unmodified], kills: list[Kill], ok: bool) -> str:
    """The kill matrix as plain text (columns aligned; the seconds vary from run to run)."""
    lines = ["unmodified model (vms/vfs/hosts):"]
    for u in base:
        r = u.result
        verdict = "passes" if u.passes else "FAILS: " + ", ".join(_not_holding(r))
        if not r.complete:
            verdict = f"INCONCLUSIVE (stopped: {r.stats.stop_reason})"
        lines.append(f"  {_cfg(u.config)}: {r.stats.states:,} states, {u.seconds:.2f} s, {verdict}")
    lines.append("")
    header = ["variant", "source", "config", "killed", "by", "len", "states", "s", "also violated"]
    rows = []
    for k in kills:
        killed = ("yes" if k.passes else "yes, but see below") if k.killed else "NO"
        if not k.result.complete:
            killed += " (limit)"
        ce = k.counterexample
        rows.append([
            k.variant.name, k.variant.source, _cfg(k.variant.config), killed,
            short(k.variant.expected) if k.killed else "-", str(len(ce)) if ce else "-",
            f"{k.result.stats.states:,}", f"{k.seconds:.2f}",
            ", ".join(short(n) for n in k.violated if n != k.variant.expected) or "-",
        ])  # fmt: skip
    lines += _table(header, rows)
    for k in kills:
        if k.killed and not k.passes:
            missing = [n for n in k.variant.also if n not in k.violated]
            why = f"also expected {', '.join(missing)}" if missing else "the counterexample "
            why += "" if missing else "does not show the key events in order"
            lines.append(f"  {k.variant.name}: {why}")
    lines.append("")
    engines = sorted({r.result.extra.get("engine", "python") for r in [*base, *kills]})
    lines.append(f"engine: {'; '.join(engines)}")
    lines.append(f"not expressible in the current model: {len(NOT_EXPRESSIBLE)} (see --json)")
    killed = sum(k.passes for k in kills)
    lines.append(f"{killed}/{len(kills)} variants killed as described; " + ("OK" if ok else "FAIL"))
    return "\n".join(lines)


@click.command("mutants")
@click.option(
    "--only",
    "only",
    multiple=True,
    metavar="NAME",
    help="Check only this variant (repeatable).",
)
@click.option(
    "--max-states",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_STATES,
    show_default=True,
    metavar="N",
    help="Stop any one exploration after N states (an early stop fails the run).",
)
@click.option("--list", "list_only", is_flag=True, help="List the catalog (no checking).")
@engine_option
@guest_option()
@json_option
def command(
    only: tuple[str, ...],
    max_states: int,
    list_only: bool,
    engine: str,
    guest: str,
    as_json: bool,
) -> int:
    """Check every seeded bug of the catalog and print the kill matrix.

    Exit status: 0 the unmodified model passes and every variant is killed by its catalog
    property with the interleaving described, 1 otherwise, 2 bad input.
    """
    names = {v.name: v for v in CATALOG}
    unknown = [n for n in only if n not in names]
    if unknown:
        raise click.BadParameter(f"no variant named {unknown[0]!r}", param_hint="--only")
    variants = [names[n] for n in dict.fromkeys(only)] if only else list(CATALOG)
    if list_only:
        for v in variants:
            click.echo(f"{v.name}  [{v.source}]  -> {v.expected}\n    {v.description}")
        return EXIT_OK
    base, kills = kill_matrix(variants, Options(max_states=max_states, engine=engine), guest)
    ok = all(u.passes for u in base) and all(k.passes for k in kills)
    if as_json:
        write_json(to_dict(base, kills, ok))
    else:
        click.echo(render(base, kills, ok))
    return EXIT_OK if ok else EXIT_VIOLATED
