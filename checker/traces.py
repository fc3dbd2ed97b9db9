"""Trace readers: turn an implementation's trace (text) into :class:`Observation` lists.

Readers are registered by format name (``register_format``), so a domain can add its own (the
SR-IOV model adds ``linux-dmesg``) without the engine knowing it. A reader takes the whole text
and the oracle's :class:`~checker.conform.Vocabulary` and either returns every observation or
raises :class:`~checker.errors.VfpathError` naming the line (or ITF state) at fault: input is
validated completely before any checking starts.

``jsonl``: one JSON object per line, ``{"instance": ..., "event": ..., "fields": {...}}``;
``instance`` and ``fields`` are optional, blank lines are skipped, and ``"event": null`` is a pure
state observation.

``itf``: the Informal Trace Format of Apalache and Quint, ``{"vars": [...], "states": [...]}``.
Each state becomes one observation (``where`` is "state N"); its ``fields`` are the state's
variables that name model fields (instance states, ``inst.var``, channels); other variables are
ignored. The event comes from, in order: ``#meta.action`` (what vfpath's own ITF writer emits),
else the variable named by ``action_var`` (default: Quint's ``mbt::actionTaken``). An action is
looked up first as an observed event name, then as a model move label translated through the
observable (a silent move gives a field-only observation). A state without an action is a
field-only observation, kept only when a chosen variable changed (or for the first state).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .conform import Observation, Vocabulary
from .errors import VfpathError

__all__ = [
    "FORMATS",
    "decode_itf",
    "jsonl_observation",
    "read_itf",
    "read_jsonl",
    "read_trace",
    "register_format",
]

Reader = Callable[[str, Vocabulary], list[Observation]]

FORMATS: dict[str, Reader] = {}

QUINT_ACTION = "mbt::actionTaken"


def register_format(name: str, reader: Reader) -> None:
    """Make ``reader`` available as ``--format name``; re-registering replaces it."""
    FORMATS[name] = reader


def read_trace(fmt: str, text: str, vocab: Vocabulary) -> list[Observation]:
    """Read ``text`` in the registered format ``fmt``."""
    try:
        reader = FORMATS[fmt]
    except KeyError:
        raise VfpathError(f"unknown trace format {fmt!r}; known: {sorted(FORMATS)}") from None
    return reader(text, vocab)


def _check_fields(fields: Any, where: str, vocab: Vocabulary | None) -> dict[str, Any]:
    if not isinstance(fields, dict):
        raise VfpathError(f"{where}: 'fields' must be an object, got {type(fields).__name__}")
    if vocab is not None:
        for name in sorted(fields):
            if name not in vocab.fields:
                raise VfpathError(f"{where}: unknown state field {name!r}")
    return fields


def read_jsonl(text: str, vocab: Vocabulary | None = None) -> list[Observation]:
    """One observation per non-blank line; errors name the line number."""
    out = []
    for n, raw in enumerate(text.splitlines(), start=1):
        obs = jsonl_observation(n, raw, vocab)
        if obs is not None:
            out.append(obs)
    return out


def jsonl_observation(n: int, raw: str, vocab: Vocabulary | None = None) -> Observation | None:
    """Line ``n`` of a JSONL trace as an observation (None: a blank line), so a stream can be
    read one line at a time in constant memory; :class:`VfpathError` names the line."""
    line = raw.strip()
    if not line:
        return None
    where = f"line {n}"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise VfpathError(f"{where}: malformed JSON: {e.msg} (column {e.colno})") from None
    if not isinstance(obj, dict):
        raise VfpathError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    unknown = sorted(set(obj) - {"instance", "event", "fields"})
    if unknown:
        raise VfpathError(f"{where}: unknown keys {unknown}")
    event, instance = obj.get("event"), obj.get("instance")
    if event is not None and not isinstance(event, str):
        raise VfpathError(f"{where}: 'event' must be a string or null")
    if instance is not None and not isinstance(instance, str):
        raise VfpathError(f"{where}: 'instance' must be a string or null")
    if event is None and instance is not None:
        raise VfpathError(f"{where}: 'instance' without an 'event'")
    fields = _check_fields(obj.get("fields", {}), where, vocab)
    obs = Observation(event, instance, fields, n, line, where)
    if vocab is not None and obs.key is not None and obs.key not in vocab.alphabet:
        raise VfpathError(f"{where}: unknown event {obs.key!r}")
    return obs


def decode_itf(value: Any) -> Any:
    """An ITF value as Python: ``#bigint`` -> int, ``#tup`` -> tuple, ``#set`` -> frozenset,
    ``#map`` -> dict, ``#unserializable`` "None" -> None, records -> dict, arrays -> list."""
    if isinstance(value, list):
        return [decode_itf(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "#bigint" in value:
        return int(value["#bigint"])
    if "#tup" in value:
        return tuple(decode_itf(v) for v in value["#tup"])
    if "#set" in value:
        return frozenset(_hashable(decode_itf(v)) for v in value["#set"])
    if "#map" in value:
        return {_hashable(decode_itf(k)): decode_itf(v) for k, v in value["#map"]}
    if "#unserializable" in value:
        raw = value["#unserializable"]
        return None if raw == "None" else raw
    return {k: decode_itf(v) for k, v in value.items()}


def _hashable(v: Any) -> Any:
    return tuple(_hashable(x) for x in v) if isinstance(v, list) else v


def _itf_event(action: Any, where: str, vocab: Vocabulary | None) -> tuple[bool, str | None]:
    """(is there an event, its observed name) for an ITF action; silent moves give (True, None)."""
    if action is None:
        return False, None
    if not isinstance(action, str):
        raise VfpathError(f"{where}: the action must be a string, got {type(action).__name__}")
    if vocab is None or action in vocab.alphabet:
        return True, action
    if action in vocab.moves:
        return True, vocab.moves[action]
    raise VfpathError(f"{where}: unknown event {action!r}")


def read_itf(
    text: str, vocab: Vocabulary | None = None, *, action_var: str = QUINT_ACTION
) -> list[Observation]:
    """Observations from an ITF document (see the module docstring for the mapping)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise VfpathError(f"line {e.lineno}: malformed JSON: {e.msg} (column {e.colno})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("states"), list):
        raise VfpathError("not an ITF trace: expected an object with a 'states' array")
    declared = doc.get("vars")
    if declared is not None and not isinstance(declared, list):
        raise VfpathError("not an ITF trace: 'vars' must be an array")
    _check_itf_vars(doc, declared, vocab, action_var)
    out: list[Observation] = []
    previous: dict[str, Any] | None = None
    for n, st in enumerate(doc["states"]):
        where = f"state {n}"
        if not isinstance(st, dict):
            raise VfpathError(f"{where}: expected an object")
        meta = st.get("#meta", {})
        action = meta.get("action") if isinstance(meta, dict) else None
        if action is None:
            action = st.get(action_var)
        has_event, key = _itf_event(action, where, vocab)
        names = [k for k in (declared or st) if k in st and not k.startswith("#")]
        if vocab is not None:
            names = [k for k in names if k in vocab.fields]
        fields = {k: decode_itf(st[k]) for k in names}
        changed = previous is None or any(previous.get(k) != v for k, v in fields.items())
        previous = fields
        if not has_event and not changed:
            continue
        label = action if isinstance(action, str) else ""
        out.append(Observation(key, None, fields, n, label, where))
    return out


def _check_itf_vars(
    doc: dict[str, Any], declared: list[Any] | None, vocab: Vocabulary | None, action_var: str
) -> None:
    """An ITF trace of another model is bad input, not an empty pass: refuse one whose
    variables are none of the model's and whose states name no action."""
    if vocab is None:
        return
    states = [st for st in doc["states"] if isinstance(st, dict)]
    present = {str(k) for k in (declared or [k for st in states for k in st])}
    present = {k for k in present if not k.startswith("#") and k != action_var}
    acted = any(
        st.get(action_var) is not None
        or (isinstance(st.get("#meta"), dict) and st["#meta"].get("action") is not None)
        for st in states
    )
    if present and not acted and not present & set(vocab.fields):
        theirs = ", ".join(sorted(present)[:5])
        ours = ", ".join(sorted(vocab.fields)[:5])
        raise VfpathError(
            f"no variable of this ITF trace is the model's (it has {theirs}; the model "
            f"observes {ours}, ...): a trace of another model?"
        )


register_format("jsonl", read_jsonl)
register_format("itf", read_itf)
