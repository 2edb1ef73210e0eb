"""The twin over a real socket with `requests`: what an HTTP client actually receives."""

from __future__ import annotations

import time

import pytest
import requests
import yaml

from twinhelp import BASE, DEFAULT_TOKEN, YAML_LOADER, instance_body

pytestmark = pytest.mark.served
HEADERS = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}


def test_create_get_delete_over_http(served):
    with requests.Session() as s:
        s.headers.update(HEADERS)
        resp = s.post(f"{served}{BASE}/instances", json=instance_body(), timeout=30)
        assert resp.status_code == 201 and resp.headers["Content-Type"] == "application/json"
        iid = resp.json()["instance"]["id"]
        assert s.get(f"{served}{BASE}/instances/{iid}", timeout=30).json()["instance"]["status"] == "creating"
        assert s.post(f"{served}/_twin/clock/advance", json={"duration": "1m"}, timeout=30).status_code == 200
        assert s.get(f"{served}{BASE}/instances/{iid}", timeout=30).json()["instance"]["status"] == "active"
        resp = s.delete(f"{served}{BASE}/instances/{iid}", timeout=30)
        assert resp.status_code == 204 and resp.content == b""
        assert "Content-Type" not in resp.headers


def test_x_auth_token_and_401_over_http(served):
    ok = requests.get(f"{served}{BASE}/instances", headers={"X-Auth-Token": DEFAULT_TOKEN}, timeout=30)
    assert ok.status_code == 200
    bad = requests.get(f"{served}{BASE}/instances", headers={"X-Auth-Token": "nope"}, timeout=30)
    assert bad.status_code == 401 and bad.headers["Content-Type"] == "application/json"
    assert bad.json() == {"code": "02004", "message": "invalid or missing API token"}


def test_405_with_allow_and_unknown_route_over_http(served):
    resp = requests.put(f"{served}{BASE}/volumes", headers=HEADERS, json={}, timeout=30)
    assert resp.status_code == 405 and resp.json()["code"] == "02007"
    assert "GET" in resp.headers["Allow"] and "POST" in resp.headers["Allow"]
    resp = requests.get(f"{served}{BASE}/nowhere", headers=HEADERS, timeout=30)
    assert resp.status_code == 404 and resp.json() == {"code": "02001", "message": "Invalid route"}


def test_oversized_and_wrong_type_bodies_over_http(served):
    resp = requests.post(f"{served}{BASE}/volumes", headers={**HEADERS, "Content-Type": "application/json"},
                         data=b"{" + b" " * (1024 * 1024 + 10) + b"}", timeout=30)
    assert resp.status_code == 413 and resp.json()["code"] == "02009"
    resp = requests.post(f"{served}{BASE}/volumes", headers={**HEADERS, "Content-Type": "text/plain"}, data="x",
                         timeout=30)
    assert resp.status_code == 415 and resp.json()["code"] == "02010"


def test_spec_servers_point_at_the_served_twin(served):
    resp = requests.get(f"{served}{BASE}/openapi.yaml", timeout=30)
    assert resp.status_code == 200
    document = yaml.load(resp.text, Loader=YAML_LOADER)
    assert document["servers"][0]["url"] == f"{served}{BASE}"
    # a client following the served `servers` reaches the twin
    listing = requests.get(document["servers"][0]["url"] + "/images", headers=HEADERS, timeout=30)
    assert listing.status_code == 200 and listing.json()["total_count"] == 6


def test_latency_fault_over_http(served):
    rule = {"match": {"operation": "listVolumes"}, "action": {"type": "latency", "ms": 200}}
    assert requests.post(f"{served}/_twin/faults", json=rule, timeout=30).status_code == 201
    started = time.perf_counter()
    resp = requests.get(f"{served}{BASE}/volumes", headers=HEADERS, timeout=30)
    assert resp.status_code == 200
    assert time.perf_counter() - started >= 0.2


def test_rate_limit_fault_over_http(served):
    rule = {"match": {"operation": "listVolumes"}, "schedule": {"mode": "first", "n": 1},
            "action": {"type": "rate_limit", "retry_after": 3}}
    requests.post(f"{served}/_twin/faults", json=rule, timeout=30)
    first = requests.get(f"{served}{BASE}/volumes", headers=HEADERS, timeout=30)
    assert first.status_code == 429 and first.headers["Retry-After"] == "3" and first.json()["code"] == "02011"
    assert requests.get(f"{served}{BASE}/volumes", headers=HEADERS, timeout=30).status_code == 200


def test_keep_alive_session_sees_one_twin(served, twin):
    with requests.Session() as s:
        s.headers.update(HEADERS)
        for i in range(5):
            s.post(f"{served}{BASE}/ssh-keys", json={"name": f"k{i}", "value": _key(i)}, timeout=30)
        assert s.get(f"{served}{BASE}/ssh-keys", timeout=30).json()["total_count"] == 5
    assert twin.store.table("genesis", "ssh_key").count("default") == 5


def _key(i: int) -> str:
    from twinhelp import ed25519_key
    return ed25519_key(i)
