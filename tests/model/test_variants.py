"""The seeded-bug catalog: every variant is killed by its property, showing its interleaving.

A kill means something only if the unmodified model passes the same properties in the same
configuration, so that is checked too. The variants must stay pure method overrides (no new
transitions, no new events: python-statemachine subclasses share their parent's State
objects), and ``shows`` is tested on hand-made traces so a vacuous matcher cannot pass.
"""

from __future__ import annotations

import inspect
from functools import cache

import pytest

from vfpath.checker import Options, Status, Step, Trace
from vfpath.checker.compile import compile_actor
from vfpath.checker.explore import explore
from vfpath.checker.view import StateView
from vfpath.cli.mutants import (
    DEFAULT_MAX_STATES,
    Kill,
    Unmodified,
    check_unmodified,
    check_variant,
)
from vfpath.model import ACTORS, Config, NetVSC, build
from vfpath.model.mutant_classes import NetVSPSwitchesToVanishedVF
from vfpath.model.variants import CATALOG, NOT_EXPRESSIBLE, Variant, shows
from vfpath.properties import properties_for

OPTIONS = Options(max_states=DEFAULT_MAX_STATES)
BY_NAME = {cls.__name__: cls for cls in ACTORS}
CONFIGS = sorted(
    {v.config for v in CATALOG},
    key=lambda c: (c.vms, c.vfs, c.hosts, c.vnics, c.serials, c.reconfigure, c.guest),
)


@cache
def kill(name: str) -> Kill:
    return check_variant(next(v for v in CATALOG if v.name == name), OPTIONS)


@cache
def unmodified(config: Config) -> Unmodified:
    return check_unmodified(config, OPTIONS)


# -- the catalog itself ------------------------------------------------------------------------
def test_names_are_unique_and_every_entry_is_complete() -> None:
    names = [v.name for v in CATALOG]
    assert len(names) == len(set(names))
    for v in CATALOG:
        assert v.source and v.description and v.key_events, v.name
        assert "\n" not in v.description, v.name


def test_expected_properties_exist_in_the_variants_configuration() -> None:
    for v in CATALOG:
        names = {p.name for p in properties_for(v.config)}
        assert v.expected in names, v.name
        assert set(v.also) <= names, v.name
        assert v.expected not in v.also, v.name


@pytest.mark.parametrize("variant", CATALOG, ids=lambda v: v.name)
def test_variant_only_overrides_methods(variant: Variant) -> None:
    """Each replacement subclasses the model class it replaces, overrides at least one of its
    methods, and compiles to the same states, events and transition rows as its parent."""
    assert variant.replacements
    for target, sub in variant.replacements.items():
        parent = BY_NAME[target]
        assert issubclass(sub, parent) and sub is not parent
        overridden = [
            n for n, f in vars(sub).items() if inspect.isfunction(f) and hasattr(parent, n)
        ]
        assert overridden, f"{sub.__name__} overrides nothing of {target}"
        mine, theirs = compile_actor(sub), compile_actor(parent)
        assert mine.states == theirs.states
        assert mine.events == theirs.events
        assert set(mine.rows) == set(theirs.rows)
        assert {k: len(r) for k, r in mine.rows.items()} == {
            k: len(r) for k, r in theirs.rows.items()
        }


def test_every_catalogued_bug_is_expressible() -> None:
    """Each real bug of SRIOV.md (d) is a variant, the six once listed as not expressible too."""
    assert not NOT_EXPRESSIBLE, sorted(NOT_EXPRESSIBLE)
    sources = " ".join(v.source for v in CATALOG)
    for commit in ("d30fb712e529", "de214e52de1b", "9cae43da9867", "64ff412ad41f", "9f89c9e68"):
        assert commit in sources, commit


# -- the unmodified model ----------------------------------------------------------------------
@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_unmodified_model_passes_every_property(config: Config) -> None:
    result = unmodified(config).result
    assert result.complete
    bad = [f"{p.name}: {p.status.value}" for p in result.properties if p.status is not Status.HOLDS]
    assert not bad, bad


# -- the kills ---------------------------------------------------------------------------------
@pytest.mark.parametrize("variant", CATALOG, ids=lambda v: v.name)
def test_variant_is_killed_by_its_property(variant: Variant) -> None:
    k = kill(variant.name)
    assert k.result.complete
    assert k.killed, f"{variant.expected} not violated; violated: {k.violated}"
    for name in variant.also:
        assert name in k.violated, f"also expected {name}; violated: {k.violated}"


@pytest.mark.parametrize("variant", CATALOG, ids=lambda v: v.name)
def test_counterexample_shows_the_interleaving(variant: Variant) -> None:
    k = kill(variant.name)
    trace = k.counterexample
    assert trace is not None and len(trace) > 0
    assert shows(trace, variant.key_events, variant.absent), trace.labels
    assert k.passes


@pytest.mark.parametrize(
    "variant", [v for v in CATALOG if v.config != Config(1, 1, 1)], ids=lambda v: v.name
)
def test_bigger_configuration_is_needed(variant: Variant) -> None:
    """A variant that claims a bigger configuration is not killed in the smallest one."""
    smaller = Variant(
        variant.name, variant.source, variant.description, variant.expected,
        variant.replacements, Config(1, 1, 1),
    )  # fmt: skip
    assert not check_variant(smaller, OPTIONS).killed


def test_a_variant_that_changes_nothing_is_not_killed() -> None:
    class SameNetVSC(NetVSC):
        def switches_on_going_down(self) -> bool:
            return True

    v = Variant("noop", "test", "no change", "S14-traffic-always-has-a-working-path",
                {"NetVSC": SameNetVSC})  # fmt: skip
    k = check_variant(v, OPTIONS)
    assert not k.killed and not k.passes and k.violated == []
    assert k.counterexample is None


def test_switching_to_a_vf_revoked_while_pending_is_an_equivalent_mutant() -> None:
    """The host's timeout commutes with a pending switch to the VF, since the stack keeps the
    VPort until the guest released the device [MS-DVP]: the two explorations reach the same
    states, so the variant cannot be killed and is not in the catalog (see variants.py)."""
    base = build(Config(1, 1, 2))
    mutant = base.replace({"NetVSP": NetVSPSwitchesToVanishedVF})
    opts = Options(deadlock=False)
    plain, late = (set(explore(s.build(), [], opts).states) for s in (base, mutant))
    assert plain == late
    # and the late switch does happen in the mutant: a switch_vf_ok from a revoked VF
    product = mutant.build()
    ex = explore(product, [], Options(deadlock=False, graph=True))
    assert ex.edges is not None
    assert any(
        product.moves[m].label.startswith("netvsp[0].switch_vf_ok")
        and StateView(product, ex.states[src])["vmstack[0]"].state == "removed"
        for src, _, m in zip(*ex.edges, strict=True)
    )


def test_unknown_property_is_an_error() -> None:
    v = Variant("bad", "test", "x", "S99-no-such-property", {"NetVSC": NetVSC})
    with pytest.raises(Exception, match="S99-no-such-property"):
        check_variant(v, OPTIONS)


# -- the interleaving matcher ------------------------------------------------------------------
def _trace(*labels: str | tuple[str, tuple[tuple[str, str], ...]]) -> Trace:
    steps = []
    for n, item in enumerate(labels, start=1):
        label, parts = item if isinstance(item, tuple) else (item, ())
        steps.append(Step(n, label, parts, {}))
    return Trace(initial={}, steps=tuple(steps))


def test_shows_requires_the_key_events_in_order() -> None:
    t = _trace("a.x", "b.y", "c.z")
    assert shows(t, ["a.x", "c.z"])
    assert shows(t, ["a.x", "b.y", "c.z"])
    assert not shows(t, ["c.z", "a.x"])
    assert not shows(t, ["b.y", "b.y"])
    assert not shows(t, ["d.w"])
    assert not shows(None, [])


def test_shows_matches_fragments_and_rendezvous_parts() -> None:
    t = _trace("vm.start", ("vfmp.eject", (("vfmp", "eject"), ("netvsc", "going_down"))))
    assert shows(t, ["start", "netvsc.going_down"])
    assert not shows(t, ["netvsc.going_down", "vm.start"])


def test_shows_rejects_an_absent_event() -> None:
    t = _trace("a.x", "b.y")
    assert shows(t, ["a.x"], absent=["c.z"])
    assert not shows(t, ["a.x"], absent=["b.y"])
