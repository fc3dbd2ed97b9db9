"""``vfpath conform``: does an implementation's trace conform to the model?

A thin layer over :class:`vfpath.checker.conform.Oracle`. The model is the SR-IOV configuration
given by ``--vms/--vfs/--hosts`` (unset ones from ``observe.DEFAULT_CONFIG``: one guest, two
hosts) with the observable moves of VM ``--vm`` from :mod:`vfpath.model.observe`, or, with
``--model FILE.py:FUNC`` (or ``module:FUNC``), any system a function returns (a ``System``, or a
``(System, observable)`` pair; a bare system observes every move under its own label), so other
projects can check traces against their own models. Exit 0 conforms, 1 does not, 2 bad input,
3 inconclusive (a bound was hit before the trace diverged). A trace with no observation is not
a pass: "nothing to check", exit 1.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import click

from vfpath.checker import System
from vfpath.checker.conform import (
    Observation,
    Oracle,
    Verdict,
    VerdictStatus,
    render_verdict,
    verdict_to_dict,
)
from vfpath.checker.errors import VfpathError
from vfpath.checker.traces import jsonl_observation, read_trace

from ._common import guest_option, load_attr

__all__ = ["command"]

FORMATS = ("jsonl", "itf", "linux-dmesg")
_SUFFIX = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "itf", ".itf": "itf"}
_EXIT = {VerdictStatus.CONFORMS: 0, VerdictStatus.DIVERGES: 1, VerdictStatus.INCONCLUSIVE: 3}


def _guess_format(path: Path) -> str:
    """jsonl for .jsonl/.ndjson, itf for .json/.itf, and a kernel log for anything else."""
    return _SUFFIX.get(path.suffix.lower(), "linux-dmesg")


def _load_model(ref: str) -> tuple[System, Any]:
    """The system (and observable) returned by the function ``ref`` names."""
    fn = load_attr(ref, "--model")
    if not callable(fn):
        raise VfpathError(f"--model: {ref!r} is not a function")
    made = fn()
    system, observable = made if isinstance(made, tuple) else (made, None)
    if not isinstance(system, System):
        name = ref.rpartition(":")[2]
        raise VfpathError(f"--model: {name}() returned {type(system).__name__}, not a System")
    if observable is None:
        observable = [m.label for m in system.build().moves]
    return system, observable


def _replacements(model: str | None, variant: str | None) -> dict[str, type] | None:
    """The classes a ``--variant`` or an actor-class ``--model`` swaps into the SR-IOV model
    (None when ``--model`` names a function: that is a model of its own)."""
    if variant is not None:
        if model is not None:
            raise VfpathError("--variant and --model name one model each: give one of them")
        from vfpath.model.variants import CATALOG

        entry = next((v for v in CATALOG if v.name == variant), None)
        if entry is None:
            raise VfpathError(
                f"--variant: no variant {variant!r}; 'vfpath mutants --list' lists them"
            )
        return dict(entry.replacements)
    if model is None:
        return None
    obj = load_attr(model, "--model")
    if not isinstance(obj, type):
        return None
    from vfpath.model import ACTORS

    base = next((b for b in obj.__mro__ if b in ACTORS), None)
    if base is None:
        raise VfpathError(f"--model: {obj.__name__} derives from none of the model's actors")
    return {base.__name__: obj}


def _oracle(
    model: str | None,
    config: dict[str, Any],
    vm: int | None,
    fmt: str,
    variant: str | None = None,
    **kw: Any,
) -> Oracle:
    replacements = _replacements(model, variant)
    if replacements is not None:
        model = None
    if model is not None:
        if vm is not None or any(v is not None for v in config.values()):
            raise VfpathError(
                "--vm/--vms/--vfs/--hosts/--guest apply to the SR-IOV model, not --model"
            )
        system, observable = _load_model(model)
        return Oracle(system, observable, **kw)
    try:
        from vfpath.model import observe
    except ImportError:
        raise VfpathError(
            "the SR-IOV observation mapping (vfpath.model.observe) is not available"
        ) from None
    given = {k: v for k, v in config.items() if v is not None}
    # a kernel log comes from a Linux guest: judge it against hv_netvsc as it really runs
    given.setdefault("guest", "linux" if fmt == "linux-dmesg" else "reference")
    # unset sizes come from the one-guest default, not from Config's own defaults
    config_ = dataclasses.replace(observe.DEFAULT_CONFIG, **given)
    # a log is one guest's: the other VMs move only when a line needs it (README, "2 VMs")
    lazy = config_.vms > 1
    return observe.oracle(config_, vm=vm or 0, replacements=replacements, lazy_others=lazy, **kw)


# what each format's observations look like, for a trace in which none was found
EXPECTED = {
    "linux-dmesg": "hv_netvsc lines such as 'hv_netvsc <guid> eth0: VF slot 1 added' "
    "(dmesg, journalctl -k)",
    "jsonl": "one JSON object per line with an 'event' name",
    "itf": "an ITF document whose states carry the model's variables or actions",
}


def _read(path: Path) -> str:
    if str(path) == "-":
        data = sys.stdin.buffer.read()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise VfpathError(
                f"cannot read standard input: not UTF-8 text (byte {e.start})"
            ) from None
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise VfpathError(f"cannot read {path}: not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise VfpathError(f"cannot read {path}: {e.strerror or e}") from None


def _list_events(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--list-events``: the SR-IOV model's observable events (the JSONL ``event`` names and
    the log lines they stand for), then exit 0, before any trace is read."""
    if not value or ctx.resilient_parsing:
        return
    from vfpath.model.observe import EVENT_TEXT, HARNESS_EVENTS

    click.echo("events a trace may name (JSONL 'event'; a kernel log's lines map to them):")
    for event, text in EVENT_TEXT.items():
        click.echo(f"  {event:30} {text}")
    click.echo("inputs a conformance harness may also send (vfpath.checker.harness):")
    for event in sorted(set(HARNESS_EVENTS.values())):
        click.echo(f"  {event}")
    ctx.exit(0)


@click.command("conform")
@click.argument("trace", type=click.Path(path_type=Path))
@click.option(
    "--list-events",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_list_events,
    help="List the observable events of the SR-IOV model and exit.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Trace format (default: from the suffix: .jsonl, .json/.itf, else a kernel log).",
)
@click.option("--vms", type=click.IntRange(min=1), default=None, help="VMs in the configuration.")
@click.option("--vfs", type=click.IntRange(min=1), default=None, help="VFs per host.")
@click.option("--hosts", type=click.IntRange(min=1), default=None, help="Hosts.")
@guest_option(default=None)
@click.option(
    "--vm",
    type=click.IntRange(min=0),
    default=None,
    help="Which VM the trace is from (default 0); the other VMs' moves are silent.",
)
@click.option(
    "--from-any-state",
    is_flag=True,
    help="Start from every reachable state, for logs that do not start at boot.",
)
@click.option(
    "--max-silent",
    type=click.IntRange(min=1),
    default=100_000,
    show_default=True,
    help="Bound on the states explored over silent steps per observation.",
)
@click.option(
    "--max-states",
    type=click.IntRange(min=1),
    default=None,
    help="Bound on the states explored for --from-any-state.",
)
@click.option(
    "--model",
    "model",
    default=None,
    metavar="FILE.py:FUNC",
    help="Check against the system FUNC returns instead of the SR-IOV model, or with an actor "
    "subclass NAME in it (it replaces the model class it derives from).",
)
@click.option(
    "--variant",
    default=None,
    metavar="NAME",
    help="Judge against a seeded-bug variant of the catalog (vfpath mutants --list).",
)
@click.option(
    "--nic",
    default=None,
    metavar="NAME",
    help="For a kernel log with several synthetic NICs: judge only this one (interface or GUID).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
def command(
    trace: Path,
    fmt: str | None,
    vms: int | None,
    vfs: int | None,
    hosts: int | None,
    guest: str | None,
    vm: int | None,
    from_any_state: bool,
    max_silent: int,
    max_states: int | None,
    model: str | None,
    variant: str | None,
    nic: str | None,
    as_json: bool,
) -> int:
    """Check the observed TRACE (a file, or - for standard input) against the model:
    "conforms", where it diverges, or "nothing to check" (exit 1) when it holds no observation."""
    fmt = fmt or ("linux-dmesg" if str(trace) == "-" else _guess_format(trace))
    oracle = _oracle(
        model,
        {"vms": vms, "vfs": vfs, "hosts": hosts, "guest": guest},
        vm,
        fmt,
        variant,
        from_any_state=from_any_state,
        max_silent=max_silent,
        max_states=max_states,
    )
    where = "standard input" if str(trace) == "-" else str(trace)
    if fmt == "linux-dmesg" and model is None:
        return _judge_log(oracle, trace, where, nic, as_json)
    if nic is not None:
        raise VfpathError("--nic applies to kernel logs (linux-dmesg) of the SR-IOV model")
    if fmt == "jsonl":  # one object a line: read and judged a line at a time, like a log
        vocab = oracle.vocabulary()
        stream = (jsonl_observation(n, raw, vocab) for n, raw in _lines(trace, where))
        return _judge(oracle, (o for o in stream if o is not None), where, fmt, as_json)
    # an ITF trace is one JSON document: read whole, every state checked before any step
    observations = read_trace(fmt, _read(trace), oracle.vocabulary())
    oracle.validate(observations)
    return _judge(oracle, observations, where, fmt, as_json)


def _judge(
    oracle: Oracle, observations: Iterable[Observation], where: str, fmt: str, as_json: bool
) -> int:
    """Feed each observation as it is read, with a progress line on a terminal for long traces.
    Each one is validated even after a divergence, so bad input anywhere is still exit 2."""
    import time

    from ._common import ProgressLine

    begin = time.perf_counter()
    seen = 0
    with ProgressLine() as progress:
        for obs in observations:
            oracle.validate([obs])
            seen += 1
            if oracle.rejection is None:
                oracle.feed(obs)
            if seen % 64 == 0:
                progress.show(
                    f"conform: {seen:,} observations, {obs.location}",
                    time.perf_counter() - begin,
                )
    if not seen:
        return _nothing(where, fmt, as_json)
    return _report(_verdict_of(oracle), where, fmt, as_json)


def _report(verdict: Verdict, where: str, fmt: str, as_json: bool) -> int:
    """One trace's verdict on stdout (text or JSON); its exit status."""
    if as_json:
        doc = verdict_to_dict(verdict)
        doc.update(trace_file=where, format=fmt)
        click.echo(json.dumps(doc, indent=2, default=repr))
    else:
        click.echo(render_verdict(verdict))
    return _EXIT[verdict.status]


def _nothing(where: str, fmt: str, as_json: bool) -> int:
    """A wrong file must not look like a pass: nothing observed is not "conforms" (exit 1)."""
    if as_json:
        doc = {"status": "nothing to check", "observations": 0, "trace_file": where}
        doc.update(format=fmt, expected=EXPECTED.get(fmt, fmt))
        click.echo(json.dumps(doc, indent=2))
    else:
        click.echo(
            f"nothing to check: no observation in {where} as {fmt} "
            f"(expected {EXPECTED.get(fmt, fmt)})"
        )
    return 1


def _lines(trace: Path, where: str) -> Iterator[tuple[int, str]]:
    """The file's (or standard input's) lines, numbered, read one at a time."""
    try:
        stream = sys.stdin.buffer if str(trace) == "-" else trace.open("rb")
    except OSError as e:
        raise VfpathError(f"cannot read {trace}: {e.strerror or e}") from None
    with contextlib.ExitStack() as stack:
        if stream is not sys.stdin.buffer:
            stack.enter_context(stream)
        for n, raw in enumerate(stream, start=1):
            try:
                yield n, raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise VfpathError(
                    f"cannot read {where}: not UTF-8 text (line {n}, byte {e.start})"
                ) from None


def _judge_log(oracle: Oracle, trace: Path, where: str, nic: str | None, as_json: bool) -> int:
    """A kernel log, streamed: each line is read, matched and judged before the next one, each
    NIC's lines by an oracle of their own (forks sharing the model and the step memo), so
    memory stays flat however long the log; a NIC that diverged is not fed again."""
    import time

    from vfpath.model import observe

    from ._common import ProgressLine

    reader = observe.LogReader(oracle.vocabulary())
    judges: dict[int, Oracle] = {}
    counts: dict[int, int] = {}
    begin = time.perf_counter()
    with ProgressLine() as progress:
        for n, raw in _lines(trace, where):
            got = reader.line(n, raw)
            if got is None:
                continue
            key = got[0].key
            judge = judges.get(key)
            if judge is None:
                judge = judges[key] = oracle.fork()
            counts[key] = counts.get(key, 0) + 1
            if judge.rejection is None and not judge.feed(got[1]):
                _found(progress, got[0], judge, nic)
            seen = sum(counts.values())
            if seen % 64 == 0:
                progress.show(
                    f"conform: {seen:,} observations, line {n:,}", time.perf_counter() - begin
                )
    nics = reader.nics
    if nic is not None:
        picked = [n for n in nics if n.named(nic)]
        if not picked:
            have = ", ".join(n.label for n in nics) or "none"
            raise VfpathError(f"--nic {nic}: no such synthetic NIC in {where}; it has {have}")
        nics = picked
    if not any(counts.get(n.key) for n in nics) and nic is None:
        return _nothing(where, "linux-dmesg", as_json)
    rows = [(n, _verdict_of(judges.get(n.key)), counts.get(n.key, 0)) for n in nics]
    if len(rows) == 1 and nic is None:
        verdict = rows[0][1]
        assert verdict is not None
        return _report(verdict, where, "linux-dmesg", as_json)
    return _per_nic(rows, where, as_json)


def _found(progress: Any, nic: Any, judge: Oracle, wanted: str | None) -> None:
    """A NIC's divergence, told on stderr the moment its line is read (the log may go on for
    minutes); the report on stdout still comes at the end, every NIC in the log's order."""
    if wanted is not None and not nic.named(wanted):
        return
    assert judge.rejection is not None
    head = render_verdict(judge.rejection).splitlines()[0]
    progress.note(f"{nic.label}: {head} (reading on; the report follows at the end)")


def _verdict_of(judge: Oracle | None) -> Any:
    """A stream's verdict: its divergence, or its end (None: the NIC showed no event)."""
    if judge is None:
        return None
    return judge.rejection if judge.rejection is not None else judge.run([])


def _per_nic(rows: list[tuple[Any, Any, int]], where: str, as_json: bool) -> int:
    """Report each synthetic NIC's verdict (each is one VM NIC of the model); the exit status
    is the worst verdict (diverges, then inconclusive)."""
    statuses = [VerdictStatus.DIVERGES if v is None else v.status for _, v, _ in rows]
    worst = max((_EXIT[s] for s in statuses), key=lambda c: (c == 1, c == 3))
    if as_json:
        docs = []
        for n, v, count in rows:
            doc: dict[str, Any] = {"interface": n.interface, "guid": n.guid}
            doc.update({"status": "nothing to check"} if v is None else verdict_to_dict(v))
            doc["observations"] = count
            docs.append(doc)
        overall = {0: "conforms", 1: "diverges", 3: "inconclusive"}[worst]
        out = {"status": overall, "trace_file": where, "format": "linux-dmesg", "nics": docs}
        click.echo(json.dumps(out, indent=2, default=repr))
    else:
        for n, v, _ in rows:
            head = f"{n.label}: "
            if v is None:
                click.echo(head + "nothing to check: no observation for this NIC")
                continue
            lines = render_verdict(v).splitlines()
            click.echo(head + lines[0])
            for line in lines[1:]:
                click.echo("  " + line)
    return worst
