"""The oracle on domain-free models: acceptance, silent steps, fields, bounds, readers.

Expected verdicts come from reading the tiny models by hand (tests/data/handshake.py has four
reachable states; Peterson's algorithm is mutually exclusive), never from the oracle's output.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest
from models import broken_lock, peterson
from statemachine import State, StateMachine

from vfpath.checker import Options, System, VfpathError, WiringError, check
from vfpath.checker.actor import Actor
from vfpath.checker.conform import (
    ByState,
    Observation,
    Oracle,
    VerdictStatus,
    render_verdict,
    verdict_to_dict,
)
from vfpath.checker.report import trace_to_itf
from vfpath.checker.traces import decode_itf, read_itf, read_jsonl, read_trace

DATA = Path(__file__).resolve().parents[1] / "data"


def _handshake() -> ModuleType:
    spec = importlib.util.spec_from_file_location("handshake", DATA / "handshake.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


HS = _handshake()


def oracle(**kw: object) -> Oracle:
    system, observable = HS.system()
    return Oracle(system, observable, **kw)  # type: ignore[arg-type]


def events(*names: str) -> list[Observation]:
    return [Observation(n, line=k, text=n) for k, n in enumerate(names, start=1)]


def test_a_correct_trace_conforms_with_a_witness_through_the_silent_grant() -> None:
    v = oracle().run(events("request", "granted", "release", "request"))
    assert v.status is VerdictStatus.CONFORMS and bool(v)
    assert v.trace.labels == [
        "client.request", "server.serve", "client.granted", "client.release", "client.request",
    ]  # fmt: skip
    assert {k: o.line for k, o in v.marks.items()} == {1: 1, 3: 2, 4: 3, 5: 4}


def test_the_verdict_counts_in_the_singular_and_the_plural() -> None:
    one = render_verdict(oracle().run(events("request")))
    assert one.startswith("conforms: 1 observation accepted, ")
    two = render_verdict(oracle().run(events("request", "granted")))
    assert two.startswith("conforms: 2 observations accepted, ")


def test_a_skipped_grant_is_rejected_at_its_line_with_what_was_allowed() -> None:
    v = oracle().run(events("request", "release", "granted"))
    assert v.status is VerdictStatus.DIVERGES and not v
    assert v.rejected is not None and v.rejected.line == 2
    assert v.allowed == ("granted",)
    assert v.accepted == 1
    text = render_verdict(v)
    assert text.splitlines()[0] == "does not conform at line 2: release"
    assert "the model allowed there: granted" in text


def test_allowed_and_states_follow_the_silent_closure() -> None:
    o = oracle()
    assert o.allowed() == {"request"}
    assert len(o.states()) == 1
    assert o.feed("request")
    # the request may or may not have been served yet: two consistent states
    assert len(o.states()) == 2
    assert o.allowed() == {"granted"}


def test_fields_filter_the_consistent_states() -> None:
    o = oracle()
    assert not o.feed(Observation("request", fields={"client.fast": True}))
    o = oracle()
    assert o.feed(Observation("request", fields={"client.fast": False, "client": "asking"}))
    # a pure state observation: the grant is waiting in the channel
    assert o.feed(Observation(None, fields={"ack": ["ack"]}))
    assert len(o.states()) == 1


def test_from_any_state_accepts_a_log_cut_in_the_middle() -> None:
    assert not oracle().run(events("release", "request"))
    v = oracle(from_any_state=True).run(events("release", "request"))
    assert v.status is VerdictStatus.CONFORMS
    # the model reaches the log's first state in three steps, then explains both lines
    assert v.log_start == 3
    assert v.trace.labels[3:] == ["client.release", "client.request"]


def test_hitting_the_silent_bound_makes_a_rejection_inconclusive() -> None:
    v = oracle(max_silent=1).run(events("request", "granted"))
    assert v.status is VerdictStatus.INCONCLUSIVE
    assert "silent-step bound of 1" in v.note
    assert verdict_to_dict(v)["status"] == "inconclusive"


def test_bad_names_fail_fast() -> None:
    o = oracle()
    with pytest.raises(VfpathError, match="line 1: unknown event 'teleport'"):
        o.feed(Observation("teleport", line=1))
    with pytest.raises(VfpathError, match=r"unknown state field 'client\.speed'"):
        o.feed(Observation("request", fields={"client.speed": 1}))
    with pytest.raises(VfpathError, match="line 2: unknown event 'bogus'"):
        o.validate(events("request", "bogus"))
    system, _ = HS.system()
    with pytest.raises(WiringError, match=r"client\.jump"):
        Oracle(system, {"client.jump": "jump"})
    with pytest.raises(WiringError, match="no move"):
        Oracle(system, {})
    o = oracle()
    assert not o.feed("granted")
    with pytest.raises(VfpathError, match="already diverged"):
        o.feed("request")


def test_peterson_never_lets_both_enter() -> None:
    labels = ["p0.enter", "p0.leave", "p1.enter", "p1.leave"]
    o = Oracle(peterson(), labels)
    assert o.allowed() == {"p0.enter", "p1.enter"}
    v = o.run(events("p0.enter", "p1.enter"))
    assert v.rejected is not None and v.rejected.line == 2
    assert v.allowed == ("p0.leave",)
    # instance-qualified observations match the same names
    assert Oracle(peterson(), labels).feed(Observation("enter", instance="p1"))


def test_output_is_deterministic() -> None:
    labels = ["p0.enter", "p0.leave", "p1.enter", "p1.leave"]
    runs = [
        json.dumps(verdict_to_dict(Oracle(peterson(), labels).run(events("p1.leave"))))
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    assert json.loads(runs[0])["allowed"] == ["p0.enter", "p1.enter"]


# -- readers ---------------------------------------------------------------------------------
def test_jsonl_reads_events_instances_and_fields_with_line_numbers() -> None:
    vocab = oracle().vocabulary()
    text = '{"event": "request"}\n\n{"event": null, "fields": {"client.fast": false}}\n'
    obs = read_jsonl(text, vocab)
    assert [(o.key, o.line, dict(o.fields)) for o in obs] == [
        ("request", 1, {}),
        (None, 3, {"client.fast": False}),
    ]
    labels = ["p0.enter", "p0.leave", "p1.enter", "p1.leave"]
    pv = Oracle(peterson(), labels).vocabulary()
    assert read_jsonl('{"instance": "p0", "event": "enter"}', pv)[0].key == "p0.enter"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"event": "request"}\n{"event": "granted"\n', "line 2: malformed JSON"),
        ('{"event": "request"}\n\n{"event": "fly"}\n', "line 3: unknown event 'fly'"),
        ('["request"]\n', "line 1: expected a JSON object"),
        ('{"event": "request", "fields": {"nope": 1}}\n', "line 1: unknown state field 'nope'"),
        ('{"event": "request", "when": 3}\n', "line 1: unknown keys"),
    ],
)
def test_jsonl_bad_input_names_the_line(text: str, message: str) -> None:
    with pytest.raises(VfpathError, match=message):
        read_trace("jsonl", text, oracle().vocabulary())


def _lock_counterexample() -> dict[str, object]:
    result = check(broken_lock(), Options())
    cex = result["mutual-exclusion"].counterexample
    assert cex is not None
    return trace_to_itf(cex)


def test_itf_of_a_counterexample_conforms_to_its_own_model() -> None:
    itf = _lock_counterexample()
    labels = [m.label for m in broken_lock().build().moves]
    o = Oracle(broken_lock(), labels)
    obs = read_itf(json.dumps(itf), o.vocabulary())
    # the initial state, then one observation per step of the counterexample
    assert len(obs) == len(itf["states"])  # type: ignore[arg-type]
    assert o.run(obs).status is VerdictStatus.CONFORMS


def test_itf_with_two_actions_swapped_is_rejected_at_that_state() -> None:
    itf = _lock_counterexample()
    states = itf["states"]
    assert isinstance(states, list)
    # the last step enters the critical section; before it, the same process checked
    states[-1]["#meta"]["action"], states[-2]["#meta"]["action"] = (
        states[-2]["#meta"]["action"],
        states[-1]["#meta"]["action"],
    )
    labels = [m.label for m in broken_lock().build().moves]
    o = Oracle(broken_lock(), labels)
    v = o.run(read_itf(json.dumps(itf), o.vocabulary()))
    assert v.rejected is not None
    assert v.rejected.where == f"state {len(states) - 2}"


def test_itf_quint_style_action_variable_and_value_encodings() -> None:
    doc = {
        "vars": ["client", "client.fast", "ack", "mbt::actionTaken"],
        "states": [
            {"#meta": {"index": 0}, "client": "slow", "client.fast": False,
             "mbt::actionTaken": "init"},
            {"#meta": {"index": 1}, "client": "asking", "client.fast": False,
             "mbt::actionTaken": "request", "ack": {"#tup": []}},
        ],
    }  # fmt: skip
    o = oracle()
    with pytest.raises(VfpathError, match="state 0: unknown event 'init'"):
        read_itf(json.dumps(doc), o.vocabulary())
    del doc["states"][0]["mbt::actionTaken"]  # type: ignore[index]
    obs = read_itf(json.dumps(doc), o.vocabulary())
    assert [(x.key, x.where) for x in obs] == [(None, "state 0"), ("request", "state 1")]
    assert dict(obs[1].fields) == {"client": "asking", "client.fast": False, "ack": ()}
    # an empty channel encoded as a tuple matches the model's empty channel
    assert oracle().run(obs).status is VerdictStatus.CONFORMS
    doc["states"][1]["client.fast"] = True  # type: ignore[index]
    assert not oracle().run(read_itf(json.dumps(doc), o.vocabulary()))
    assert decode_itf({"#tup": [{"#bigint": "7"}, {"#set": [[1, 2]]}]}) == (7, frozenset({(1, 2)}))
    with pytest.raises(VfpathError, match="not an ITF trace"):
        read_itf('{"vars": []}', o.vocabulary())


class Dial(Actor, StateMachine):
    """A counter modulo 3: one move, seen as "tick" or, when it comes back to 0, "wrap"."""

    variables = {"n": 0}
    on = State(initial=True)
    turn = on.to.itself(on="advance")

    def advance(self) -> None:
        self.n = (self.n + 1) % 3


def test_a_move_can_be_seen_under_a_name_chosen_by_its_effect() -> None:
    system = System("dial").add("dial", Dial)
    seen = ByState(("tick", "wrap"), lambda s: "wrap" if s["dial"].n == 0 else "tick")
    o = Oracle(system, {"dial.turn": seen})
    assert o.alphabet == {"tick", "wrap"}
    assert o.allowed() == {"tick"}
    assert o.run(events("tick", "tick", "wrap", "tick"))
    v = Oracle(system, {"dial.turn": seen}).run(events("tick", "wrap"))
    assert v.rejected is not None and v.rejected.line == 2 and v.allowed == ("tick",)
    bad = ByState(("tick",), lambda s: "tock")
    with pytest.raises(WiringError, match="picked 'tock'"):
        Oracle(system, {"dial.turn": bad}).allowed()
