"""Schedules (window, budget, every kth), lifecycle faults, and exact reproduction from a seed."""

from __future__ import annotations

from typing import Any

import pytest

from cloudtwin.app import build_twin, create_app
from cloudtwin.engine.clock import iso

AUTH = {"Authorization": "Bearer gc-default-0000000000000000000000"}
BASE = "/genesis/compute/v1"
INSTANCE = {"name": "n", "hostname": "n", "type": "vcpu-2_memory-4g", "image": "ubuntu-22.04",
            "region": "NORD-NO-KRS-1"}


def _client(seed: int = 1) -> Any:
    twin = build_twin(["genesis"], seed=seed)
    twin.clock.freeze(1_800_000_000.0)
    return create_app(twin).test_client()


def _fault(client: Any, rule: dict[str, Any]) -> None:
    response = client.post("/_twin/faults", json=rule)
    assert response.status_code == 201, response.json


def _statuses(client: Any, n: int) -> list[int]:
    return [client.get(BASE + "/instances", headers=AUTH).status_code for _ in range(n)]


def test_an_outage_window_in_virtual_time() -> None:
    client = _client()
    _fault(client, {"match": {"provider": "genesis"}, "action": {"type": "error", "status": 503},
                    "schedule": {"window": {"start": iso(1_800_000_600.0), "end": iso(1_800_001_500.0)}}})
    assert _statuses(client, 1) == [200]
    client.post("/_twin/clock/advance", json={"duration": "10m"})
    assert _statuses(client, 2) == [503, 503]
    client.post("/_twin/clock/advance", json={"duration": "15m"})
    assert _statuses(client, 1) == [200]


def test_a_budget_of_hits() -> None:
    client = _client()
    _fault(client, {"action": {"type": "error", "status": 500}, "schedule": {"budget": 2}})
    assert _statuses(client, 4) == [500, 500, 200, 200]


def test_every_kth_call() -> None:
    client = _client()
    _fault(client, {"action": {"type": "error", "status": 502}, "schedule": {"mode": "every", "n": 3}})
    assert _statuses(client, 7) == [200, 200, 502, 200, 200, 502, 200]


def test_the_nth_call_only() -> None:
    client = _client()
    _fault(client, {"action": {"type": "rate_limit", "retry_after": 2}, "schedule": {"mode": "nth", "n": 2}})
    assert _statuses(client, 3) == [200, 429, 200]


def _probabilistic_run(seed: int) -> list[int]:
    client = _client(seed)
    _fault(client, {"action": {"type": "error", "status": 503}, "schedule": {"mode": "probability", "probability": 0.3}})
    return _statuses(client, 40)


def test_a_probabilistic_run_reproduces_exactly_from_its_seed() -> None:
    first, again, other = _probabilistic_run(42), _probabilistic_run(42), _probabilistic_run(43)
    assert first == again
    assert first != other
    assert 0 < first.count(503) < 40


def test_the_journal_records_rule_draw_and_virtual_time() -> None:
    client = _client(42)
    _fault(client, {"id": "coin", "action": {"type": "error", "status": 503},
                    "schedule": {"mode": "probability", "probability": 1.0}})
    _statuses(client, 1)
    fault = client.get("/_twin/journal", query_string={"fault": "true"}).json["entries"][-1]["fault"]
    assert fault["rule"] == "coin" and fault["kind"] == "error"
    assert 0.0 <= fault["draw"] < 1.0 and fault["at"] == iso(1_800_000_000.0)


def _create(client: Any, name: str = "n") -> str:
    response = client.post(BASE + "/instances", headers=AUTH, json={**INSTANCE, "name": name, "hostname": name})
    assert response.status_code == 201, response.json
    return str(response.json["instance"]["id"])


def _status(client: Any, instance_id: str) -> Any:
    response = client.get(f"{BASE}/instances/{instance_id}", headers=AUTH)
    return response.json["instance"]["status"] if response.status_code == 200 else response.status_code


def test_stuck_in_creating_for_ever() -> None:
    client = _client()
    _fault(client, {"match": {"provider": "genesis"}, "lifecycle": {"kind": "instance", "state": "creating", "forever": True}})
    instance = _create(client)
    client.post("/_twin/clock/advance", json={"duration": "30d"})
    assert _status(client, instance) == "creating"


def test_stuck_for_a_while_then_error() -> None:
    client = _client()
    _fault(client, {"lifecycle": {"kind": "instance", "state": "creating", "after": "10m", "then": "error"}})
    instance = _create(client)
    client.post("/_twin/clock/advance", json={"duration": "9m"})
    assert _status(client, instance) == "creating"
    client.post("/_twin/clock/advance", json={"duration": "1m"})
    assert _status(client, instance) == "error"


def test_active_then_error() -> None:
    client = _client()
    _fault(client, {"lifecycle": {"kind": "instance", "state": "active", "after": "5m", "then": "error"}})
    instance = _create(client)
    client.post("/_twin/clock/advance", json={"duration": "2m"})
    assert _status(client, instance) == "active"
    client.post("/_twin/clock/advance", json={"duration": "5m"})
    assert _status(client, instance) == "error"


def test_a_delete_that_never_completes() -> None:
    client = _client()
    _fault(client, {"lifecycle": {"kind": "instance", "state": "deleting", "forever": True}})
    instance = _create(client)
    client.post("/_twin/clock/advance", json={"duration": "2m"})
    assert client.delete(f"{BASE}/instances/{instance}", headers=AUTH).status_code == 204
    client.post("/_twin/clock/advance", json={"duration": "7d"})
    assert _status(client, instance) == "deleting"


@pytest.mark.parametrize("target", ["nth", "name"])
def test_targeting_the_nth_creation_or_a_name_pattern(target: str) -> None:
    client = _client()
    rule: dict[str, Any] = {"lifecycle": {"kind": "instance", "state": "creating", "forever": True}}
    if target == "nth":
        rule["schedule"] = {"mode": "nth", "n": 2}
    else:
        rule["lifecycle"]["name"] = "^gpu-"
    _fault(client, rule)
    ids = [_create(client, name) for name in ("cpu-a", "gpu-b", "cpu-c")]
    client.post("/_twin/clock/advance", json={"duration": "5m"})
    assert [_status(client, i) for i in ids] == ["active", "creating", "active"]


def test_lifecycle_faults_are_journaled_and_declared_in_fixtures() -> None:
    twin = build_twin(["genesis"], seed=1, overrides={"genesis": {"faults": [
        {"id": "slow-volumes", "lifecycle": {"kind": "volume", "state": "creating", "after": "1h"}}]}})
    twin.clock.freeze()
    client = create_app(twin).test_client()
    volume = client.post(BASE + "/volumes", headers=AUTH,
                         json={"name": "v", "size": 10, "region": "NORD-NO-KRS-1"}).json["volume"]["id"]
    client.post("/_twin/clock/advance", json={"duration": "59m"})
    assert client.get(f"{BASE}/volumes/{volume}", headers=AUTH).json["volume"]["status"] == "creating"
    client.post("/_twin/clock/advance", json={"duration": "1m"})
    assert client.get(f"{BASE}/volumes/{volume}", headers=AUTH).json["volume"]["status"] == "created"
    entry = [e for e in client.get("/_twin/journal").json["entries"] if e.get("event") == "lifecycle_fault"][0]
    assert entry["fault"]["rule"] == "slow-volumes" and entry["fault"]["resource"]["id"] == volume


def test_malformed_rules_are_refused() -> None:
    client = _client()
    assert client.post("/_twin/faults", json={"lifecycle": {"kind": "instance", "state": "creating"}}).status_code == 400
    assert client.post("/_twin/faults", json={"action": {"type": "nope"}}).status_code == 400
    assert client.post("/_twin/faults", json={"lifecycle": {"kind": "x", "state": "y", "forever": True},
                                              "match": {"operation": "listInstances"}}).status_code == 400
