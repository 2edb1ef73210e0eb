"""Lifecycles: the scheduler, state machines from fixtures, stale events, removal, hooks."""

from __future__ import annotations

import pytest

from cloudtwin.engine.lifecycle import Lifecycles, Machine, Scheduler, Transition
from cloudtwin.engine.store import Row
from twinhelp import (
    INSTANCE_CREATING, INSTANCE_DELETING, INSTANCE_STOPPING, VOLUME_CREATING, create_instance, create_volume, get,
)


def test_scheduler_pops_in_due_order_and_ties_in_insertion_order():
    scheduler = Scheduler()
    for due, name in ((30, "c"), (10, "a"), (20, "b"), (10, "a2")):
        scheduler.at(due, "lifecycle", {"name": name})
    assert len(scheduler) == 4 and scheduler.next_due() == 10
    assert scheduler.pop_due(9) is None
    popped = []
    while (event := scheduler.pop_due(25)) is not None:
        popped.append(event.payload["name"])
    assert popped == ["a", "a2", "b"]
    assert scheduler.next_due() == 30


def test_scheduler_export_restore_keeps_order_and_sequence():
    scheduler = Scheduler()
    scheduler.at(5, "x", {"n": 1})
    scheduler.at(5, "x", {"n": 2})
    restored = Scheduler()
    restored.restore(scheduler.export())
    restored.at(5, "x", {"n": 3})  # a later event with the same due time still comes last
    assert [restored.pop_due(10).payload["n"] for _ in range(3)] == [1, 2, 3]


def test_machine_from_fixture():
    machine = Machine.from_fixture("thing", {"_field": "state", "creating": {"after": "1m", "then": "ready"},
                                             "deleting": {"after": 5, "remove": True}, "ready": None})
    assert machine.field == "state"
    assert machine.states["creating"] == Transition(after=60.0, then="ready", remove=False)
    assert machine.states["deleting"] == Transition(after=5.0, then=None, remove=True)
    assert machine.states["ready"] == Transition(after=None)


def _thing(state: str = "") -> Row:
    return Row("t1", "thing", "acct", 1, {"state": state})


def test_lifecycles_enter_schedule_apply_and_stale_generations():
    scheduler = Scheduler()
    machine = Machine.from_fixture("thing", {"_field": "state", "creating": {"after": "10s", "then": "ready"},
                                             "deleting": {"after": "5s", "remove": True}})
    entered: list[tuple[str, float]] = []
    lifecycles = Lifecycles("p", {"thing": machine}, scheduler)
    lifecycles.on_enter = lambda row, state, at: entered.append((state, at))
    row = _thing()
    lifecycles.enter(row, "creating", 100)
    assert row.data["state"] == "creating"
    event = scheduler.pop_due(110)
    assert event.due == 110 and event.payload["then"] == "ready"
    assert lifecycles.apply(row, event.payload, event.due) is True
    assert row.data["state"] == "ready" and entered == [("creating", 100), ("ready", 110)]
    # a superseded event does nothing
    lifecycles.enter(row, "creating", 200)
    stale = scheduler.pop_due(210)
    lifecycles.enter(row, "deleting", 205)
    assert lifecycles.apply(row, stale.payload, stale.due) is False
    assert row.data["state"] == "deleting"
    removal = scheduler.pop_due(1000)
    removed: list[str] = []
    lifecycles.on_remove = lambda r, at: removed.append(r.id)
    assert lifecycles.apply(row, removal.payload, removal.due) is True and removed == ["t1"]


def test_unknown_kind_is_an_error():
    lifecycles = Lifecycles("p", {}, Scheduler())
    with pytest.raises(KeyError, match="no lifecycle for 'thing'"):
        lifecycles.enter(_thing(), "creating", 0)


def test_override_can_hold_a_state_forever():
    scheduler = Scheduler()
    machine = Machine.from_fixture("thing", {"creating": {"after": "10s", "then": "ready"}, "_field": "state"})
    lifecycles = Lifecycles("p", {"thing": machine}, scheduler)
    lifecycles.override = lambda provider, row, state, transition: None
    lifecycles.enter(_thing(), "creating", 0)
    assert len(scheduler) == 0


# Through the twin ------------------------------------------------------------------------------
def test_lifecycle_fixtures_are_loaded(twin):
    machines = twin.lifecycles["genesis"].machines
    assert set(machines) >= {"instance", "volume", "snapshot", "filesystem", "security_group", "floating_ip"}
    assert machines["instance"].states["creating"] == Transition(after=60.0, then="active")
    assert machines["instance"].states["deleting"].remove is True


def test_overridden_fixture_durations_are_used():
    from cloudtwin.app import build_twin
    twin = build_twin(["genesis"], seed=1,
                      overrides={"genesis": {"lifecycles": {"volume": {"creating": {"after": "5m", "then": "created"}}}}})
    assert twin.lifecycles["genesis"].machines["volume"].states["creating"].after == 300
    assert twin.lifecycles["genesis"].machines["instance"].states["creating"].after == 60  # the rest is kept


def test_removal_is_exactly_at_the_due_time(gc, admin):
    inst = create_instance(gc)
    admin.advance(INSTANCE_CREATING)
    gc.delete(f"/instances/{inst['id']}")
    admin.advance(INSTANCE_DELETING - 0.001)
    assert gc.get(f"/instances/{inst['id']}").status_code == 200
    admin.advance(0.001)
    assert gc.get(f"/instances/{inst['id']}").status_code == 404


def test_stale_events_from_a_previous_state_are_ignored(gc, admin, twin):
    """stop at t, the instance is stopped at t+15; the old `creating` event must not make it active."""
    inst = create_instance(gc)
    admin.advance(INSTANCE_CREATING)
    gc.post(f"/instances/{inst['id']}/actions", json={"action": "stop"})
    gc.post(f"/instances/{inst['id']}/actions", json={"action": "start"})  # refused: still stopping
    admin.advance(INSTANCE_STOPPING)
    assert get(gc, f"/instances/{inst['id']}", "instance")["status"] == "stopped"
    admin.advance(3600)
    assert get(gc, f"/instances/{inst['id']}", "instance")["status"] == "stopped"
    assert len(twin.scheduler) == 0


def test_nothing_is_pending_once_everything_settled(gc, admin, twin):
    create_volume(gc)
    create_instance(gc)
    assert len(twin.scheduler) == 2
    out = admin.advance(VOLUME_CREATING + INSTANCE_CREATING)
    assert out["applied_events"] == 2 and len(twin.scheduler) == 0
