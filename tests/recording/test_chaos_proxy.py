"""`cloudtwin proxy` in front of a stand-in: every fault kind of the twin, injected by the
twin's own engine (rules at /_twin/faults, one journal), over a real socket."""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlparse

import pytest
import requests

from cloudtwin.engine.faults import FAULT_KINDS

from .proxyprocess import ProxyProcess

AUTH = {"Authorization": "Bearer gc-default-0000000000000000000000"}
LIST = {"operation": "listInstances"}
FIRST = {"mode": "first", "n": 1}


@pytest.fixture(scope="module")
def chaos(real):
    proxy = ProxyProcess("proxy", "--target", real.base + "/genesis/compute/v1", "--seed", "5")
    try:
        yield proxy.base
    finally:
        proxy.stop()


def add(base: str, action: dict) -> str:
    requests.delete(base + "/_twin/faults", timeout=5).raise_for_status()
    reply = requests.post(base + "/_twin/faults", json={"match": LIST, "schedule": FIRST, "action": action}, timeout=5)
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def journaled(base: str, rule: str) -> dict:
    """The one journal entry of this rule. A relayed answer is journaled when the server closes
    it, just after the client has it all: allow that moment."""
    query = {"fault": "true", "limit": 1000}
    deadline = time.monotonic() + 5
    while True:
        entries = requests.get(base + "/_twin/journal", params=query, timeout=5).json()["entries"]
        mine = [e for e in entries if e["fault"]["rule"] == rule]
        if mine or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(mine) == 1, entries
    return mine[0]


def test_unfaulted_requests_reach_the_stand_in(chaos):
    requests.delete(chaos + "/_twin/faults", timeout=5)
    before = requests.get(chaos + "/_twin/journal", params={"limit": 1}, timeout=5).json()["last_seq"]
    reply = requests.get(chaos + "/instances", headers=AUTH, timeout=5)
    assert reply.status_code == 200 and "instances" in reply.json()
    # Journaled when the server closes the relayed answer, after the control call that cleared
    # the faults: wait for this request's own entry, not for any entry.
    query = {"operation": "listInstances", "since": before, "limit": 1}
    deadline = time.monotonic() + 5
    while not (entries := requests.get(chaos + "/_twin/journal", params=query, timeout=5).json()["entries"]):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert entries[-1]["status"] == 200 and entries[-1]["fault"] is None


def test_error_in_the_providers_shape(chaos):
    rule = add(chaos, {"type": "error", "status": 503})
    reply = requests.get(chaos + "/instances", headers=AUTH, timeout=5)
    assert reply.status_code == 503 and "code" in reply.json()  # Genesis's {code, message}
    assert journaled(chaos, rule)["fault"]["kind"] == "error"


def test_rate_limit(chaos):
    rule = add(chaos, {"type": "rate_limit", "retry_after": 20})
    reply = requests.get(chaos + "/instances", headers=AUTH, timeout=5)
    assert reply.status_code == 429 and reply.headers["Retry-After"] == "20"
    entry = journaled(chaos, rule)
    assert entry["fault"]["kind"] == "rate_limit" and entry["retry_after"] == "20"


def test_latency(chaos):
    rule = add(chaos, {"type": "latency", "ms": 400})
    started = time.monotonic()
    assert requests.get(chaos + "/instances", headers=AUTH, timeout=5).status_code == 200
    assert time.monotonic() - started >= 0.4
    assert journaled(chaos, rule)["fault"]["delay_ms"] == 400


@pytest.mark.parametrize("kind, words", [("reset", "reset"), ("empty_reply", "without response")])
def test_severed_connections(chaos, kind, words):
    rule = add(chaos, {"type": kind})
    with pytest.raises(requests.ConnectionError) as raised:
        requests.get(chaos + "/instances", headers=AUTH, timeout=5)
    assert words in str(raised.value).lower()
    assert journaled(chaos, rule)["fault"]["kind"] == kind


def test_reset_after_the_upstream_acted(chaos):
    requests.delete(chaos + "/_twin/faults", timeout=5)
    reply = requests.post(chaos + "/_twin/faults", timeout=5, json={
        "match": {"operation": "createSSHKey"}, "schedule": FIRST, "action": {"type": "reset", "after_handler": True}})
    rule = reply.json()["id"]
    key = {"name": "lost-answer",
           "value": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZ3YmJ0c2dqZ3VqZ3VqZ3VqZ3VqZ3VqZ3VqZ3VqZ3Vq"}
    with pytest.raises(requests.ConnectionError):
        requests.post(chaos + "/ssh-keys", headers=AUTH, json=key, timeout=5)
    listed = requests.get(chaos + "/ssh-keys", headers=AUTH, timeout=5).json()
    assert "lost-answer" in [k["name"] for k in listed["ssh_keys"]]  # the real endpoint did act
    assert journaled(chaos, rule)["status"] == 201


def test_hang(chaos):
    rule = add(chaos, {"type": "hang", "seconds": 2})
    with pytest.raises(requests.ReadTimeout):
        requests.get(chaos + "/instances", headers=AUTH, timeout=0.5)
    time.sleep(2.2)
    assert journaled(chaos, rule)["fault"]["kind"] == "hang"


def test_truncated(chaos):
    rule = add(chaos, {"type": "truncated", "fraction": 0.3})
    parsed = urlparse(chaos)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=5)
    connection.request("GET", "/instances", headers=AUTH)
    response = connection.getresponse()
    with pytest.raises(http.client.IncompleteRead):
        response.read()
    assert journaled(chaos, rule)["fault"]["kind"] == "truncated"


def test_malformed(chaos):
    rule = add(chaos, {"type": "malformed", "status": 502, "content_type": "text/html"})
    reply = requests.get(chaos + "/instances", headers=AUTH, timeout=5)
    assert reply.status_code == 502
    with pytest.raises(json.JSONDecodeError):
        json.loads(reply.text)
    assert journaled(chaos, rule)["status"] == 502


def test_drip(chaos):
    rule = add(chaos, {"type": "drip", "chunk_bytes": 8, "interval_ms": 20, "max_seconds": 1})
    started = time.monotonic()
    reply = requests.get(chaos + "/instances", headers=AUTH, timeout=5)
    assert reply.json()["instances"] is not None and time.monotonic() - started >= 0.1
    assert journaled(chaos, rule)["fault"]["kind"] == "drip"


def test_every_kind_is_covered():
    covered = {"error", "rate_limit", "latency", "reset", "empty_reply", "hang", "truncated", "malformed", "drip"}
    assert set(FAULT_KINDS) <= covered


def pattern(base: str) -> list[int]:
    """Statuses of ten calls under a rule that fires with probability one half."""
    requests.delete(base + "/_twin/faults", timeout=5)
    requests.post(base + "/_twin/reset", json={}, timeout=5).raise_for_status()
    requests.post(base + "/_twin/faults", timeout=5, json={
        "match": LIST, "schedule": {"mode": "probability", "probability": 0.5},
        "action": {"type": "error", "status": 503}}).raise_for_status()
    return [requests.get(base + "/instances", headers=AUTH, timeout=5).status_code for _ in range(10)]


def test_the_seed_makes_the_draws_repeatable(chaos):
    first = pattern(chaos)
    assert set(first) == {200, 503}
    assert pattern(chaos) == first  # after a reset, the same seed draws the same faults
    requests.delete(chaos + "/_twin/faults", timeout=5)


def test_the_journal_never_shows_a_secret(chaos):
    requests.delete(chaos + "/_twin/faults", timeout=5)
    requests.post(chaos + "/instances", headers=AUTH, timeout=5, json={"name": "x", "password": "hunter2-secret"})
    time.sleep(0.2)  # the relay is journaled when the server closes it
    journal = requests.get(chaos + "/_twin/journal", params={"limit": 1000}, timeout=5).text
    assert '"password\\": \\"REDACTED' in journal and "hunter2-secret" not in journal
