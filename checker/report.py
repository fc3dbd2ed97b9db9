"""Reporters: text for people, JSON (with a schema version) and ITF for programs."""

from __future__ import annotations

import json
import math
from typing import Any

from .result import CheckResult, PropertyResult, Status, Trace

__all__ = [
    "SCHEMA",
    "render_json",
    "render_text",
    "result_to_dict",
    "trace_to_dict",
    "trace_to_itf",
]

SCHEMA = "vfpath.check/1"

_MARK = {
    Status.HOLDS: ("holds", "green"),
    Status.VIOLATED: ("VIOLATED", "red"),
    Status.VACUOUS: ("vacuous", "yellow"),
    Status.UNKNOWN: ("unknown", "yellow"),
}


def _fmt(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    if isinstance(v, tuple):
        return "(" + ", ".join(_fmt(x) for x in v) + ")"
    return str(v)


def render_trace(trace: Trace, title: str = "counterexample") -> list[str]:
    """A numbered trace; each step names who moved and shows only what changed."""
    lines = [f"  {title} ({len(trace)} steps):"]
    for step in trace.steps:
        if trace.loop_start is not None and step.index == trace.loop_start + 1:
            lines.append("    -- cycle starts here; the steps below repeat forever --")
        lines.append(f"    {step.index:>3}. {step.label}")
        for k, (a, b) in step.changes.items():
            lines.append(f"           {k}: {_fmt(a)} -> {_fmt(b)}")
    if trace.loop_start is not None:
        if trace.loop_start == len(trace):
            lines.append("    -- stays here forever (stuttering: no fair step is enabled) --")
        else:
            lines.append(f"    -- back to the state after step {trace.loop_start} --")
    return lines


def _human_bytes(n: int) -> str:
    if n <= 0:
        return "0 B"
    units = ["B", "KiB", "MiB", "GiB", "TiB"]
    k = min(int(math.log(n, 1024)), len(units) - 1)
    return f"{n / 1024**k:.1f} {units[k]}"


def render_text(result: CheckResult, *, color: bool = False) -> str:
    """The readable report: one line per property, statistics, numbered counterexamples."""
    lines: list[str] = []
    width = max((len(p.name) for p in result.properties), default=10)
    for p in result.properties:
        word, hue = _MARK[p.status]
        tag = f"[{hue}]{word:<8}[/{hue}]" if color else f"{word:<8}"
        note = f"  ({p.note})" if p.note else ""
        lines.append(f"{tag} {p.name:<{width}}  {p.expectation.value}{note}")
    s = result.stats
    lines.append(
        f"{s.states:,} states, {s.transitions:,} transitions, depth {s.depth}, "
        f"{s.seconds:.2f} s, {s.states_per_second:,.0f} states/s, "
        f"peak memory {_human_bytes(s.peak_memory)}"
        + ("" if s.complete else f" -- INCOMPLETE: stopped at the {s.stop_reason}")
    )
    if "fingerprint" in result.extra:
        from .fingerprint import describe

        lines.append(describe(result.extra["fingerprint"]))
    for n, p in enumerate(result.violated, start=1):
        lines.append("")
        lines.append(f"#{n} {p.name} violated: {p.description}".rstrip(": "))
        if p.counterexample is not None:
            lines.extend(render_trace(p.counterexample))
    return "\n".join(lines)


def trace_to_dict(trace: Trace) -> dict[str, Any]:
    return {
        "initial": trace.initial,
        "loop_start": trace.loop_start,
        "steps": [
            {
                "index": st.index,
                "label": st.label,
                "parts": [{"instance": i, "event": e} for i, e in st.parts],
                "changes": {k: {"from": a, "to": b} for k, (a, b) in st.changes.items()},
            }
            for st in trace.steps
        ],
    }


def _prop_dict(p: PropertyResult) -> dict[str, Any]:
    return {
        "name": p.name,
        "kind": p.expectation.value,
        "status": p.status.value,
        "description": p.description,
        "source": p.source,
        "note": p.note,
        "counterexample": trace_to_dict(p.counterexample) if p.counterexample else None,
        "witness": trace_to_dict(p.witness) if p.witness else None,
    }


def result_to_dict(result: CheckResult) -> dict[str, Any]:
    s = result.stats
    return {
        "schema": SCHEMA,
        "system": result.system,
        "states": s.states,
        "transitions": s.transitions,
        "depth": s.depth,
        "seconds": round(s.seconds, 4),
        "states_per_second": round(s.states_per_second, 1),
        "peak_memory_bytes": s.peak_memory,
        "complete": s.complete,
        "stop_reason": s.stop_reason or None,
        "holds": bool(result),
        "properties": [_prop_dict(p) for p in result.properties],
        **result.extra,
    }


def render_json(result: CheckResult) -> str:
    return json.dumps(result_to_dict(result), indent=2, default=_json_default)


def _json_default(v: Any) -> Any:
    if isinstance(v, (set, frozenset)):
        return sorted(v, key=repr)
    return repr(v)


def _itf_value(v: Any) -> Any:
    """ITF encodes ints as {"#bigint": "n"}, tuples as {"#tup": [...]}, lists as arrays."""
    if isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return {"#bigint": str(v)}
    if isinstance(v, tuple):
        return {"#tup": [_itf_value(x) for x in v]}
    if isinstance(v, list):
        return [_itf_value(x) for x in v]
    if v is None:
        return {"#unserializable": "None"}
    return {"#unserializable": repr(v)}


def trace_to_itf(trace: Trace, *, description: str = "") -> dict[str, Any]:
    """The trace in the Informal Trace Format (Apalache/Quint): one object per state."""
    states = []
    for n, st in enumerate(trace.states):
        obj: dict[str, Any] = {"#meta": {"index": n}}
        for k, v in st.items():
            obj[k] = _itf_value(v)
        if n > 0:
            obj["#meta"]["action"] = trace.steps[n - 1].label
        states.append(obj)
    keys = sorted(trace.initial)
    meta: dict[str, Any] = {"format": "ITF", "source": "vfpath", "description": description}
    out: dict[str, Any] = {"#meta": meta, "vars": keys, "states": states}
    if trace.loop_start is not None:
        out["loop"] = trace.loop_start
    return out
