"""Coverage: rows never taken, events never enabled and states never reached, per actor class.

Expectations are read off the model definitions: which guards can ever hold, which states are
reachable, and which synchronisations can ever fire.
"""

from __future__ import annotations

import json

from live_models import pickers
from models import philosophers

from vfpath.checker import Options, System
from vfpath.checker.coverage import Coverage, coverage, render_coverage
from vfpath.checker.explore import explore


def _cover(system: System, options: Options | None = None) -> Coverage:
    product = system.build()
    return coverage(product, explore(product, [], options or Options()))


def _missed(cov: Coverage, name: str) -> set[tuple[str, str, str, int]]:
    (cls,) = [c for c in cov.classes if c.name == name]
    return {(t.source, t.event, t.target, t.row) for t in cls.untaken}


def test_one_picker_that_always_goes_left() -> None:
    # go: start -> left when prefers_left (declared first, row 0), else start -> right (row 1).
    # With prefer_left the second row never fires, right is never entered, and jump's guard is
    # always false, so never is unreachable and its reset never fires.
    cov = _cover(pickers(True))
    (cls,) = cov.classes
    assert cls.name == "Picker" and cls.instances == ("p0",)
    assert _missed(cov, "Picker") == {
        ("start", "go", "right", 1),
        ("left", "jump", "never", 0),
        ("right", "reset", "start", 0),
        ("never", "reset", "start", 0),
    }
    assert cls.transitions == 6 and cls.taken == 2
    assert cls.never_enabled == ("jump",)
    assert cls.unreached == ("right", "never")


def test_coverage_is_the_union_over_instances_of_a_class() -> None:
    # p1 goes right, covering the second go row and right's reset; jump still never fires.
    cov = _cover(pickers(True, False))
    (cls,) = cov.classes
    assert cls.instances == ("p0", "p1")
    assert _missed(cov, "Picker") == {("left", "jump", "never", 0), ("never", "reset", "start", 0)}
    assert cls.never_enabled == ("jump",)
    assert cls.unreached == ("never",)


def test_a_synchronised_event_counts_only_when_the_whole_sync_can_fire() -> None:
    # Without put-back the philosopher's put_back guard is false, so the sync it shares with
    # the fork's back_a never fires: back_a is never enabled although the fork alone could.
    cov = _cover(philosophers(2))
    assert _missed(cov, "Philosopher") == {("has_left", "put_back", "thinking", 0)}
    assert _missed(cov, "Fork") == {("held", "back_a", "free", 0)}
    by_name = {c.name: c for c in cov.classes}
    assert by_name["Fork"].never_enabled == ("back_a",)
    assert by_name["Philosopher"].never_enabled == ("put_back",)
    assert by_name["Fork"].instances == ("fork[0]", "fork[1]")
    # with put-back every row of both classes fires
    full = _cover(philosophers(2, put_back=True))
    assert all(not c.untaken and not c.never_enabled and not c.unreached for c in full.classes)


def test_reports_render_and_serialise() -> None:
    cov = _cover(pickers(True))
    text = render_coverage(cov)
    assert "Picker (p0): 2/6 transitions taken" in text
    assert "start --go--> right (row 1)" in text
    assert "events never enabled: jump" in text
    data = json.loads(json.dumps(cov.to_dict()))
    (cls,) = data["classes"]
    assert cls["never_enabled"] == ["jump"]
    assert {"source": "left", "event": "jump", "target": "never", "row": 0} in cls["untaken"]
    assert data["complete"] is True


def test_an_incomplete_exploration_is_flagged() -> None:
    cov = _cover(philosophers(3), Options(max_states=3))
    assert not cov.complete
    assert "INCOMPLETE" in render_coverage(cov)
