"""State export -> import through /_twin/state: exact round trip, pending events, id streams, faults."""

from __future__ import annotations

import json

import pytest

from cloudtwin.app import build_twin, create_app
from cloudtwin.engine.twin import StateError
from twinhelp import (
    GenesisApi, INSTANCE_CREATING, MUC, create_floating_ip, create_instance, create_ssh_key, create_volume,
    expect_error, get, import_snapshot,
)


def _genesis_twin(seed: int):  # type: ignore[no-untyped-def]
    twin = build_twin(["genesis"], seed=seed)
    twin.clock.freeze()
    return twin, create_app(twin).test_client()


def _busy(client) -> Api:  # type: ignore[no-untyped-def]
    """Some of everything, with lifecycle events still pending and a half-used fault rule."""
    api = GenesisApi(client)
    create_ssh_key(api)
    vol = create_volume(api)
    api.advance(10)
    create_instance(api, volumes=[vol["id"]])
    create_instance(api, name="b", hostname="b", region=MUC)
    api.advance(INSTANCE_CREATING)
    create_instance(api, name="pending", hostname="pending")  # creating, due in 60 s
    import_snapshot(api)  # creating, due in 120 s
    create_floating_ip(api)
    client.post("/_twin/accounts", json={"id": "extra"})
    client.post("/_twin/faults", json={"id": "third", "match": {"operation": "listVolumes"},
                                       "schedule": {"mode": "nth", "n": 3}, "action": {"type": "error", "status": 500}})
    assert api.get("/volumes").status_code == 200  # the rule has matched once
    return api


def test_export_shape(admin, gc):
    create_volume(gc)
    state = admin.get("/state")
    assert state["format"] == "cloudtwin-state" and state["version"] == 1
    assert {"clock", "ids", "store", "scheduler", "faults", "providers"} <= set(state)
    assert len(state["scheduler"]) == 1  # the volume's `creating`
    json.dumps(state)  # plain JSON


def test_round_trip_is_exact_and_continues_where_the_original_was():
    original, a = _genesis_twin(7)
    busy = _busy(a)
    exported = a.get("/_twin/state")
    assert exported.status_code == 200

    copy, b = _genesis_twin(1234)  # another seed: everything must come from the document
    resp = b.put("/_twin/state", data=exported.get_data(), content_type="application/json")
    assert resp.status_code == 204 and resp.get_data() == b""
    assert b.get("/_twin/state").get_json() == exported.get_json()

    other = GenesisApi(b)
    # pending lifecycle events survive: both twins move the same way
    for api in (busy, other):
        api.advance(INSTANCE_CREATING)
    assert get(other, "/instances") == get(busy, "/instances")
    pending = [i for i in get(other, "/instances", "instances") if i["name"] == "pending"][0]
    assert pending["status"] == "active" and pending["public_ip"] is not None
    for api in (busy, other):
        api.advance(60)
    assert get(other, "/snapshots") == get(busy, "/snapshots")
    assert get(other, "/snapshots", "snapshots")[0]["status"] == "created"
    # id streams continue: the next id is the one the original twin gives
    assert create_instance(other, name="next", hostname="next")["id"] == \
        create_instance(busy, name="next", hostname="next")["id"]
    assert create_ssh_key(other, name="k2")["id"] == create_ssh_key(busy, name="k2")["id"]
    # fault rules and their counters survive: the 3rd listVolumes fails on both
    assert [other.get("/volumes").status_code for _ in range(3)] == [200, 500, 200]
    assert [busy.get("/volumes").status_code for _ in range(3)] == [200, 500, 200]
    # accounts and credentials survive
    assert "extra" in [x["id"] for x in b.get("/_twin/accounts").get_json()["accounts"]]
    assert b.get("/_twin/state").get_json() == a.get("/_twin/state").get_json()


def test_round_trip_on_the_full_twin(admin, gc, client):
    _busy(client)
    exported = client.get("/_twin/state").get_data()
    create_volume(gc, name="after-export")
    admin.advance(86400)
    admin.call("PUT", "/state", 204, data=exported, content_type="application/json")
    assert client.get("/_twin/state").get_data() == exported
    assert "after-export" not in [v["name"] for v in get(gc, "/volumes", "volumes")]


def test_import_replaces_the_clock(admin, gc):
    exported = admin.get("/state")
    admin.advance(3600)
    admin.call("PUT", "/state", 204, json=exported)
    assert admin.get("/clock")["epoch"] == exported["clock"]["now"]


def test_deleted_resources_stay_deleted_after_import(gc, admin):
    vol = create_volume(gc)
    admin.advance(10)
    gc.delete(f"/volumes/{vol['id']}")
    exported = admin.get("/state")
    admin.call("PUT", "/state", 204, json=exported)
    assert get(gc, f"/volumes/{vol['id']}", "volume")["status"] == "deleting"
    admin.advance(10)
    expect_error(gc.get(f"/volumes/{vol['id']}"), 404, "02006")


def test_bad_documents_are_refused_and_change_nothing(admin, gc):
    vol = create_volume(gc)
    good = admin.get("/state")
    for document in ({**good, "version": 2}, {**good, "format": "other"}, {"format": "cloudtwin-state", "version": 1},
                     {**good, "store": {"accounts": "x"}}, {"version": 1}):
        resp = admin.call("PUT", "/state", 400, json=document)
        assert resp.get_json()["error"]["code"] == "invalid_request"
    assert "version 2" in admin.call("PUT", "/state", 400, json={**good, "version": 2}).get_json()["error"]["message"]
    assert get(gc, f"/volumes/{vol['id']}", "volume")["id"] == vol["id"]
    admin.call("PUT", "/state", 415, data=json.dumps(good), content_type="text/plain")


def test_refused_import_leaves_no_partial_state(admin, gc):
    """A document broken late (its store) must not have replaced the clock, ids or faults already."""
    good = admin.get("/state")
    create_volume(gc)
    admin.fault({"id": "kept", "action": {"type": "latency", "ms": 0}})
    admin.advance(3600)
    before = admin.get("/state")
    broken = {**good, "store": {**good["store"], "tables": {"genesis": {"volume": [["only-an-id"]]}}}}
    admin.call("PUT", "/state", 400, json=broken)
    broken = {**good, "scheduler": [["not", "an", "event"]]}
    admin.call("PUT", "/state", 400, json=broken)
    assert admin.get("/state") == before


def test_an_import_replaces_the_whole_state_and_a_refused_one_keeps_it():
    """Journal, retry marks and rate-limit buckets belong to the state an import replaces;
    a document for other providers is refused before any part of the twin changes."""
    twin, client = _genesis_twin(4)
    api = GenesisApi(client)
    vol = create_volume(api)
    document = twin.export_state()
    client.post("/_twin/faults", json={"id": "slow-down", "schedule": {"mode": "first", "n": 1},
                                        "action": {"type": "rate_limit", "retry_after": 30}})
    assert api.get("/volumes").status_code == 429
    before, journal = twin.state, twin.journal.query({}, limit=0)
    assert twin.retry_marks and journal

    with pytest.raises(StateError):
        twin.import_state({**document, "providers": ["genesis", "barrack"]})
    assert twin.state is before and twin.journal.query({}, limit=0) == journal and twin.retry_marks

    twin.import_state(document)
    assert twin.state is not before
    assert twin.journal.query({}, limit=0) == [] and twin.retry_marks == {}
    assert [r["id"] for r in twin.faults.export()["rules"]] == []  # the rule came after the export
    assert get(api, f"/volumes/{vol['id']}", "volume")["id"] == vol["id"]
    assert twin.export_state() == document


def test_a_reset_replaces_the_whole_state_and_keeps_the_clock():
    twin, client = _genesis_twin(4)
    create_volume(GenesisApi(client))
    before, now = twin.state, twin.clock.now()
    twin.reset()
    assert twin.state is not before and twin.clock is before.clock and twin.clock.now() == now
    assert twin.store.export() != before.store.export() and twin.journal.query({}, limit=0) == []
