"""The virtual clock through /_twin/clock: freeze, set, advance, unfreeze; due events apply in order."""

from __future__ import annotations

import pytest

from cloudtwin.engine.clock import Clock, iso, parse_duration, parse_iso
from twinhelp import (
    INSTANCE_CREATING, INSTANCE_STOPPING, SNAPSHOT_CREATING, VOLUME_CREATING, create_instance,
    create_volume, get, import_snapshot,
)


def test_clock_shape(admin, twin):
    clock = admin.get("/clock")
    assert set(clock) == {"now", "epoch", "frozen", "offset_seconds"}
    assert clock["frozen"] is True  # the fixture freezes it
    assert clock["now"] == iso(clock["epoch"]) and clock["now"].endswith("Z")
    assert clock["epoch"] == twin.clock.now()


def test_frozen_clock_does_not_move(admin):
    first = admin.get("/clock")["epoch"]
    for _ in range(5):
        admin.get("/health")
    assert admin.get("/clock")["epoch"] == first


def test_advance_by_seconds_and_by_duration(admin):
    start = admin.get("/clock")["epoch"]
    out = admin.post("/clock/advance", {"seconds": 90})
    assert out["epoch"] == pytest.approx(start + 90) and out["frozen"] is True and out["applied_events"] == 0
    out = admin.post("/clock/advance", {"duration": "1h30m"})
    assert out["epoch"] == pytest.approx(start + 90 + 5400)
    out = admin.post("/clock/advance", {"duration": "250ms"})
    assert out["epoch"] == pytest.approx(start + 5490.25)
    out = admin.post("/clock/advance", {"duration": "2d"})
    assert out["epoch"] == pytest.approx(start + 5490.25 + 172800)


@pytest.mark.parametrize("body", [{"seconds": -1}, {"duration": "-5s"}, {"duration": "5"}, {"duration": "5x"},
                                  {}, {"seconds": 1, "duration": "1s"}, {"seconds": "10"}, {"minutes": 1}])
def test_bad_advances_are_refused_and_change_nothing(admin, body):
    before = admin.get("/clock")["epoch"]
    resp = admin.call("POST", "/clock/advance", 400, json=body)
    assert resp.get_json()["error"]["code"] == "invalid_request"
    assert admin.get("/clock")["epoch"] == before


def test_set_moves_forward_only(admin):
    now = admin.get("/clock")["epoch"]
    target = iso(now + 3600)
    out = admin.post("/clock/set", {"now": target})
    assert out["now"] == target and out["applied_events"] == 0
    resp = admin.call("POST", "/clock/set", 400, json={"now": iso(now)})
    assert "backwards" in resp.get_json()["error"]["message"]
    assert admin.get("/clock")["now"] == target
    admin.call("POST", "/clock/set", 400, json={"now": "yesterday"})
    admin.call("POST", "/clock/set", 400, json={})
    out = admin.post("/clock/set", {"now": target})  # the same instant is not backwards
    assert out["now"] == target


def test_set_accepts_offsets_and_stamps_resources_in_virtual_time(admin, gc):
    now = admin.get("/clock")["epoch"]
    target = int(now) + 10 * 86400
    # +02:00 offset: the same instant written in another zone
    from datetime import datetime, timedelta, timezone
    local = datetime.fromtimestamp(target, tz=timezone(timedelta(hours=2))).isoformat()
    assert admin.post("/clock/set", {"now": local})["epoch"] == pytest.approx(target)
    vol = create_volume(gc)
    assert vol["created_at"] == iso(target)


def test_freeze_at_an_instant_applies_due_events(admin, gc):
    now = admin.get("/clock")["epoch"]
    vol = create_volume(gc)
    out = admin.post("/clock/freeze", {"at": iso(now + VOLUME_CREATING + 0.001)})  # iso() truncates to ms
    assert out["frozen"] is True and out["applied_events"] == 1
    assert get(gc, f"/volumes/{vol['id']}", "volume")["status"] == "created"
    resp = admin.call("POST", "/clock/freeze", 400, json={"at": iso(now)})
    assert "backwards" in resp.get_json()["error"]["message"]


def test_freeze_without_body_stops_time_where_it_is(admin, twin):
    admin.post("/clock/unfreeze")
    out = admin.post("/clock/freeze")
    assert out["frozen"] is True
    assert twin.clock.now() == out["epoch"]


def test_unfreeze_lets_time_run_from_the_virtual_instant(admin, twin):
    now = admin.get("/clock")["epoch"]
    target = iso(now + 7 * 86400)
    admin.post("/clock/set", {"now": target})
    out = admin.post("/clock/unfreeze")
    assert out["frozen"] is False
    assert out["epoch"] >= parse_iso(target)
    assert out["offset_seconds"] == pytest.approx(7 * 86400, abs=60)
    later = admin.get("/clock")
    assert later["frozen"] is False and later["epoch"] >= out["epoch"]
    # advancing a running clock shifts its offset
    moved = admin.post("/clock/advance", {"seconds": 3600})
    assert moved["offset_seconds"] == pytest.approx(8 * 86400 - 86400 + 3600, abs=60)
    admin.post("/clock/unfreeze")  # unfreezing a running clock is harmless
    assert admin.get("/clock")["frozen"] is False


def test_clock_methods_on_a_fake_wall():
    wall = [1000.0]
    clock = Clock(wall=lambda: wall[0])
    assert clock.now() == 1000.0
    wall[0] = 1010.0
    assert clock.now() == 1010.0
    clock.freeze()
    wall[0] = 2000.0
    assert clock.now() == 1010.0
    clock.advance(5)
    assert clock.now() == 1015.0
    clock.unfreeze()
    assert clock.now() == 1015.0
    wall[0] = 2010.0
    assert clock.now() == 1025.0  # runs on from the virtual instant
    clock.set(5000.0)
    assert clock.now() == 5000.0
    with pytest.raises(ValueError):
        clock.advance(-1)
    state = clock.export()
    other = Clock(wall=lambda: 0.0)
    other.restore(state)
    assert other.now() == 5000.0 and other.frozen is False


@pytest.mark.parametrize("text,seconds", [("90s", 90), ("2h", 7200), ("30d", 2592000), ("1h30m", 5400),
                                          ("250ms", 0.25), ("1w", 604800), ("42", 42), (17, 17), ("1.5m", 90)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["5x", "h", "10s5", ""])
def test_parse_duration_refuses(text):
    if text == "":
        assert parse_duration(text) == 0.0
        return
    with pytest.raises(ValueError):
        parse_duration(text)


def test_iso_round_trip():
    assert iso(0) == "1970-01-01T00:00:00.000Z"
    assert iso(1.2345) == "1970-01-01T00:00:01.234Z"
    assert iso(0, millis=False) == "1970-01-01T00:00:00Z"
    assert parse_iso("2024-03-19T16:08:40.235Z") == pytest.approx(1710864520.235)
    assert parse_iso("2024-03-19T16:08:40") == parse_iso("2024-03-19T16:08:40+00:00")


# Due events ----------------------------------------------------------------------------------
def test_advancing_a_day_applies_every_due_transition_in_order(admin, gc):
    t0 = admin.get("/clock")["epoch"]
    inst = create_instance(gc)
    vol = create_volume(gc)
    snap = import_snapshot(gc)
    doomed = create_instance(gc, name="d", hostname="d", destroy_on_shutdown=True)
    out = admin.advance(INSTANCE_CREATING)
    assert out["applied_events"] == 3  # the volume and both instances; the snapshot is not due yet
    gc.post(f"/instances/{doomed['id']}/actions", json={"action": "stop"})
    t1 = admin.get("/clock")["epoch"]

    out = admin.advance(86400)
    # the snapshot's creating; doomed: stopping -> stopped (which enters deleting) -> removed
    assert out["applied_events"] == 3
    assert get(gc, f"/instances/{inst['id']}", "instance")["updated_at"] == iso(t0 + INSTANCE_CREATING)
    assert get(gc, f"/volumes/{vol['id']}", "volume")["updated_at"] == iso(t0 + VOLUME_CREATING)
    created = get(gc, f"/snapshots/{snap['id']}", "snapshot")
    assert created["status"] == "created" and created["updated_at"] == iso(t0 + SNAPSHOT_CREATING)
    assert gc.get(f"/instances/{doomed['id']}").status_code == 404
    assert admin.get("/clock")["epoch"] == pytest.approx(t1 + 86400)


def test_chained_transitions_are_stamped_at_their_due_times(admin, gc, twin):
    """destroy_on_shutdown: stopping (15s) -> stopped -> deleting (20s) -> removed, in one advance."""
    inst = create_instance(gc, destroy_on_shutdown=True)
    admin.advance(INSTANCE_CREATING)
    gc.post(f"/instances/{inst['id']}/actions", json={"action": "stop"})
    t1 = admin.get("/clock")["epoch"]
    seen: list[tuple[str, float]] = []
    original = twin.lifecycles["genesis"].on_enter

    def spy(row, state, at):  # type: ignore[no-untyped-def]
        seen.append((state, at))
        original(row, state, at)

    twin.lifecycles["genesis"].on_enter = spy
    out = admin.advance(86400)
    assert out["applied_events"] == 2
    assert seen == [("stopped", t1 + INSTANCE_STOPPING), ("deleting", t1 + INSTANCE_STOPPING)]
    assert gc.get(f"/instances/{inst['id']}").status_code == 404


def test_many_events_apply_in_due_order(admin, gc, twin):
    applied: list[float] = []
    original = twin._apply

    def spy(event):  # type: ignore[no-untyped-def]
        applied.append(event.due)
        original(event)

    twin._apply = spy  # type: ignore[method-assign]
    try:
        for i in range(10):
            create_instance(gc, name=f"i{i}", hostname=f"i{i}")
            create_volume(gc, name=f"v{i}")
            import_snapshot(gc, name=f"s{i}")
            admin.advance(7)
        admin.advance(86400)
    finally:
        del twin._apply
    assert len(applied) == 30
    assert applied == sorted(applied)


def test_requests_see_due_events_without_an_admin_call(admin, gc, twin):
    """Due events are applied before every request, e.g. after the clock moved by another route."""
    vol = create_volume(gc)
    twin.clock.advance(VOLUME_CREATING)  # moves time without draining
    assert get(gc, f"/volumes/{vol['id']}", "volume")["status"] == "created"
