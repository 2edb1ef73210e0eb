"""Fault injection through /_twin/faults: kinds, schedules, windows, budgets, matching, journal, seeding."""

from __future__ import annotations

import time

import pytest

from cloudtwin.app import build_twin, create_app
from cloudtwin.engine.clock import iso
from twinhelp import BASE, DEFAULT_TOKEN, OTHER_TOKEN, create_volume, expect_error


def _statuses(gc, n, path="/instances"):  # type: ignore[no-untyped-def]
    return [gc.get(path).status_code for _ in range(n)]


# Kinds -------------------------------------------------------------------------------------
def test_error_fault_answers_in_the_providers_shape(admin, gc):
    rule = admin.fault({"id": "boom", "match": {"operation": "listInstances"}, "action": {"type": "error", "status": 500}})
    assert rule == {"id": "boom", "description": "", "match": {"operation": "listInstances"},
                    "schedule": {"mode": "always"},
                    "action": {"type": "error", "status": 500, "key": "fault", "message": None},
                    "matched": 0, "fired": 0}
    body = expect_error(gc.get("/instances"), 500, "02012")
    assert body["message"] == "the service is temporarily unavailable"
    assert gc.get("/volumes").status_code == 200  # other operations untouched


def test_error_fault_with_a_key_and_message_of_the_providers_table(admin, gc):
    admin.fault({"match": {"operation": "createVolume"},
                 "action": {"type": "error", "status": 403, "key": "quota_exceeded", "message": "no more disks"}})
    body = expect_error(gc.post("/volumes", json={"name": "v", "size": 1, "region": "NORD-NO-KRS-1"}), 403, "02039")
    assert body["message"] == "no more disks"
    assert gc.get("/volumes").get_json()["total_count"] == 0  # the handler never ran


def test_default_error_fault_is_503(admin, gc):
    admin.fault({"action": {"type": "error"}})
    expect_error(gc.get("/quotas"), 503, "02012")


def test_rate_limit_fault_answers_429_with_retry_after(admin, gc):
    admin.fault({"match": {"operation": "listVolumes"}, "action": {"type": "rate_limit", "retry_after": 7}})
    resp = gc.get("/volumes")
    body = expect_error(resp, 429, "02011")
    assert resp.headers["Retry-After"] == "7"
    assert body["message"] == "too many requests, slow down"


def test_latency_fault_delays_the_right_answer(admin, gc):
    admin.fault({"id": "slow", "match": {"operation": "listSSHKeys"}, "action": {"type": "latency", "ms": 150}})
    started = time.perf_counter()
    resp = gc.get("/ssh-keys")
    elapsed = time.perf_counter() - started
    assert resp.status_code == 200 and resp.get_json()["total_count"] == 0
    assert elapsed >= 0.15
    entry = admin.journal("operation=listSSHKeys")[-1]
    assert entry["fault"]["rule"] == "slow" and entry["fault"]["kind"] == "latency"
    assert entry["fault"]["delay_ms"] == 150.0
    assert entry["duration_ms"] >= 150


def test_latency_fault_does_not_move_the_virtual_clock(admin, gc):
    before = admin.get("/clock")["epoch"]
    admin.fault({"action": {"type": "latency", "ms": 20}})
    gc.get("/quotas")
    assert admin.get("/clock")["epoch"] == before


@pytest.mark.parametrize("action", [
    {"type": "nope"},
    {"type": "error", "status": 200},
    {"type": "error", "status": 600},
    {"type": "latency", "ms": -1},
    {"type": "latency", "ms": 31000},
    {"type": "latency", "ms": 5, "distribution": "pareto"},
    {"type": "rate_limit", "retry_after": -1},
])
def test_invalid_actions_are_refused(admin, action):
    resp = admin.call("POST", "/faults", 400, json={"action": action})
    assert resp.get_json()["error"]["code"] == "invalid_request"
    assert admin.get("/faults") == {"faults": []}


@pytest.mark.parametrize("rule", [
    {},
    {"action": {"type": "error"}, "schedule": {"mode": "sometimes"}},
    {"action": {"type": "error"}, "schedule": {"mode": "nth", "n": 0}},
    {"action": {"type": "error"}, "schedule": {"mode": "probability", "probability": 1.5}},
    {"action": {"type": "error"}, "match": {"colour": "red"}},
    {"action": {"type": "error"}, "id": "has space"},
])
def test_invalid_rules_are_refused(admin, rule):
    admin.call("POST", "/faults", 400, json=rule)
    assert admin.get("/faults") == {"faults": []}


# Schedules ---------------------------------------------------------------------------------
def test_nth_fires_once_on_the_nth_match(admin, gc):
    admin.fault({"id": "third", "match": {"operation": "listInstances"}, "schedule": {"mode": "nth", "n": 3},
                 "action": {"type": "error", "status": 500}})
    assert _statuses(gc, 6) == [200, 200, 500, 200, 200, 200]
    rule = admin.get("/faults/third")
    assert rule["matched"] == 6 and rule["fired"] == 1


def test_first_fires_on_the_first_n(admin, gc):
    admin.fault({"schedule": {"mode": "first", "n": 2}, "match": {"operation": "listInstances"},
                 "action": {"type": "error", "status": 502}})
    assert _statuses(gc, 4) == [502, 502, 200, 200]


def test_every_fires_on_every_nth(admin, gc):
    admin.fault({"schedule": {"mode": "every", "n": 3}, "match": {"operation": "listInstances"},
                 "action": {"type": "error", "status": 500}})
    assert _statuses(gc, 9) == [200, 200, 500] * 3


def test_probability_zero_and_one(admin, gc):
    admin.fault({"id": "never", "schedule": {"mode": "probability", "probability": 0},
                 "match": {"operation": "listInstances"}, "action": {"type": "error"}})
    assert set(_statuses(gc, 10)) == {200}
    admin.call("DELETE", "/faults/never", 204)
    admin.fault({"schedule": {"mode": "probability", "probability": 1}, "match": {"operation": "listInstances"},
                 "action": {"type": "error"}})
    assert set(_statuses(gc, 10)) == {503}


def test_budget_caps_how_often_a_rule_fires(admin, gc):
    admin.fault({"id": "twice", "schedule": {"budget": 2}, "match": {"operation": "listInstances"},
                 "action": {"type": "error", "status": 500}})
    assert _statuses(gc, 5) == [500, 500, 200, 200, 200]
    assert admin.get("/faults/twice")["fired"] == 2


def test_budget_with_every(admin, gc):
    admin.fault({"schedule": {"mode": "every", "n": 2, "budget": 2}, "match": {"operation": "listInstances"},
                 "action": {"type": "error", "status": 500}})
    assert _statuses(gc, 8) == [200, 500, 200, 500, 200, 200, 200, 200]


def test_window_in_virtual_time(admin, gc):
    now = admin.get("/clock")["epoch"]
    start, end = int(now) + 3600, int(now) + 7200
    rule = admin.fault({"id": "win", "match": {"operation": "listInstances"},
                        "schedule": {"window": {"start": iso(start), "end": iso(end)}},
                        "action": {"type": "error", "status": 503}})
    assert rule["schedule"]["window"] == {"start": iso(start), "end": iso(end)}
    assert gc.get("/instances").status_code == 200  # before the window
    admin.post("/clock/set", {"now": iso(start)})
    assert gc.get("/instances").status_code == 503  # the start is inside
    admin.post("/clock/set", {"now": iso(end - 1)})
    assert gc.get("/instances").status_code == 503
    admin.post("/clock/set", {"now": iso(end)})
    assert gc.get("/instances").status_code == 200  # the end is outside
    assert admin.get("/faults/win")["matched"] == 2  # matches outside the window are not counted


def test_open_ended_windows(admin, gc):
    now = admin.get("/clock")["epoch"]
    admin.fault({"match": {"operation": "listInstances"}, "schedule": {"window": {"start": iso(now + 60)}},
                 "action": {"type": "error"}})
    admin.fault({"match": {"operation": "listVolumes"}, "schedule": {"window": {"end": iso(now + 60)}},
                 "action": {"type": "error"}})
    assert (gc.get("/instances").status_code, gc.get("/volumes").status_code) == (200, 503)
    admin.advance(60)
    assert (gc.get("/instances").status_code, gc.get("/volumes").status_code) == (503, 200)


def test_first_matching_rule_wins(admin, gc):
    admin.fault({"id": "a", "match": {"operation": "listInstances"}, "schedule": {"mode": "every", "n": 2},
                 "action": {"type": "error", "status": 500}})
    admin.fault({"id": "b", "match": {"operation": "listInstances"}, "action": {"type": "error", "status": 502}})
    assert _statuses(gc, 4) == [502, 500, 502, 500]
    fired = [e["fault"]["rule"] for e in admin.journal("operation=listInstances")]
    assert fired == ["b", "a", "b", "a"]


# Matching ----------------------------------------------------------------------------------
def test_match_by_method(admin, gc):
    admin.fault({"match": {"method": "post", "provider": "genesis"}, "action": {"type": "error", "status": 500}})
    assert gc.get("/volumes").status_code == 200
    expect_error(gc.post("/volumes", json={"name": "v", "size": 1, "region": "NORD-NO-KRS-1"}), 500)


def test_match_by_path_regex(admin, gc):
    vol = create_volume(gc)
    admin.fault({"match": {"path": r"/volumes/[0-9a-f-]{36}$"}, "action": {"type": "error", "status": 500}})
    assert gc.get("/volumes").status_code == 200
    assert gc.get(f"/volumes/{vol['id']}").status_code == 500


def test_match_by_account(admin, gc, client):
    admin.fault({"match": {"account": "other"}, "action": {"type": "error", "status": 500}})
    assert gc.get("/instances").status_code == 200
    resp = client.get(BASE + "/instances", headers={"Authorization": f"Bearer {OTHER_TOKEN}"})
    expect_error(resp, 500, "02012")


def test_match_by_provider_and_api(admin, gc):
    admin.fault({"match": {"provider": "barrack"}, "action": {"type": "error"}})
    assert gc.get("/instances").status_code == 200
    admin.fault({"match": {"provider": "genesis", "api": "genesis", "operation": "listInstances"},
                 "action": {"type": "error"}})
    assert gc.get("/instances").status_code == 503


@pytest.mark.parametrize("match", [{"provider": "some-other-provider"}, {"api": "nope"},
                                   {"operation": "deployInstance"}, {"provider": "genesis", "operation": "getImage"}])
def test_a_rule_that_could_never_fire_is_refused(admin, match):
    response = admin.client.post("/_twin/faults", json={"match": match, "action": {"type": "error"}})
    assert response.status_code == 400
    assert "No " in response.get_json()["error"]["message"]


def test_faults_never_hit_the_control_plane(admin, gc):
    admin.fault({"action": {"type": "error", "status": 500}})  # matches everything
    assert admin.get("/faults")["faults"][0]["fired"] == 0
    assert gc.get("/instances").status_code == 500
    admin.call("DELETE", "/faults", 204)
    assert gc.get("/instances").status_code == 200


def test_unauthenticated_requests_are_refused_before_faults(admin, client):
    admin.fault({"id": "all", "action": {"type": "error", "status": 500}})
    expect_error(client.get(BASE + "/instances"), 401, "02004")
    assert admin.get("/faults/all")["matched"] == 0


# Journal and management --------------------------------------------------------------------
def test_journal_shows_which_rule_fired(admin, gc):
    admin.fault({"id": "flaky", "description": "every other list", "match": {"operation": "listInstances"},
                 "schedule": {"mode": "every", "n": 2}, "action": {"type": "error", "status": 500}})
    _statuses(gc, 4)
    entries = admin.journal("operation=listInstances")
    assert [e["fault"] is None for e in entries] == [True, False, True, False]
    fired = entries[1]["fault"]
    assert fired["rule"] == "flaky" and fired["kind"] == "error" and fired["draw"] is None
    assert fired["at"] == entries[1]["at"]
    assert entries[1]["status"] == 500
    only = admin.journal("fault=true")
    assert [e["seq"] for e in only] == [entries[1]["seq"], entries[3]["seq"]]


def test_probability_draw_is_journaled(admin, gc):
    admin.fault({"id": "p", "schedule": {"mode": "probability", "probability": 1},
                 "match": {"operation": "listInstances"}, "action": {"type": "error"}})
    gc.get("/instances")
    draw = admin.journal("fault=true")[-1]["fault"]["draw"]
    assert isinstance(draw, float) and 0 <= draw < 1


def test_list_get_delete_clear(admin, gc):
    admin.fault({"id": "one", "action": {"type": "error"}})
    generated = admin.fault({"action": {"type": "latency", "ms": 1}})
    assert generated["id"].startswith("fault-")
    assert [r["id"] for r in admin.get("/faults")["faults"]] == ["one", generated["id"]]
    assert admin.get("/faults/one")["action"]["type"] == "error"
    admin.call("POST", "/faults", 409, json={"id": "one", "action": {"type": "error"}})
    admin.call("DELETE", "/faults/one", 204)
    assert admin.call("GET", "/faults/one", 404).get_json()["error"]["code"] == "not_found"
    admin.call("DELETE", "/faults/one", 404)
    resp = admin.call("DELETE", "/faults", 204)
    assert resp.get_data() == b"" and "Content-Type" not in resp.headers
    assert admin.get("/faults") == {"faults": []}
    assert gc.get("/instances").status_code == 200


# Seeded probability ----------------------------------------------------------------------------
def _probability_run(seed: int) -> list[int]:
    twin = build_twin(["genesis"], seed=seed)
    twin.clock.freeze()
    client = create_app(twin).test_client()
    rule = {"match": {"operation": "listInstances"}, "schedule": {"mode": "probability", "probability": 0.5},
            "action": {"type": "error", "status": 500}}
    assert client.post("/_twin/faults", json=rule).status_code == 201
    headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    return [client.get(BASE + "/instances", headers=headers).status_code for _ in range(48)]


def test_seeded_probability_is_reproducible_and_seed_dependent():
    first, second, third = _probability_run(11), _probability_run(11), _probability_run(12)
    assert first == second
    assert 500 in first and 200 in first
    assert first != third
