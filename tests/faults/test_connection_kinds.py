"""Each connection-level fault, seen by an ordinary HTTP client over a real socket."""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlparse

import pytest
import requests

from faultlive import AUTH, add_fault, instances_url

LIST = {"provider": "genesis", "operation": "listInstances"}


def test_reset_before_any_byte(live: str) -> None:
    add_fault(live, {"match": LIST, "action": {"type": "reset"}})
    with pytest.raises(requests.ConnectionError) as raised:
        requests.get(instances_url(live), headers=AUTH, timeout=5)
    assert "reset" in str(raised.value).lower()


def test_empty_reply(live: str) -> None:
    add_fault(live, {"match": LIST, "action": {"type": "empty_reply"}})
    with pytest.raises(requests.ConnectionError) as raised:
        requests.get(instances_url(live), headers=AUTH, timeout=5)
    assert "without response" in str(raised.value)


def test_reset_after_the_handler_still_creates(live: str) -> None:
    add_fault(live, {"match": {"operation": "createSSHKey"}, "schedule": {"mode": "first", "n": 1},
                     "action": {"type": "reset", "after_handler": True}})
    key = {"name": "lost-answer", "value": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZ3YmJ0c2dqZ3VqZ3VqZ3VqZ3VqZ3VqZ3VqZ3VqZ3Vq"}
    with pytest.raises(requests.ConnectionError):
        requests.post(live + "/genesis/compute/v1/ssh-keys", headers=AUTH, json=key, timeout=5)
    listed = requests.get(live + "/genesis/compute/v1/ssh-keys", headers=AUTH, timeout=5).json()
    assert [k["name"] for k in listed["ssh_keys"]] == ["lost-answer"]


def test_truncated_body(live: str) -> None:
    add_fault(live, {"match": LIST, "action": {"type": "truncated", "fraction": 0.3}})
    parsed = urlparse(live)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=5)
    connection.request("GET", "/genesis/compute/v1/instances", headers=AUTH)
    response = connection.getresponse()
    assert response.status == 200
    with pytest.raises(http.client.IncompleteRead) as raised:
        response.read()
    assert 0 < len(raised.value.partial) < int(response.getheader("Content-Length"))


def test_body_that_is_not_json(live: str) -> None:
    add_fault(live, {"match": LIST, "action": {"type": "malformed"}})
    response = requests.get(instances_url(live), headers=AUTH, timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_slow_drip_delivers_the_whole_answer_late(live: str) -> None:
    add_fault(live, {"match": LIST, "action": {"type": "drip", "chunk_bytes": 8, "interval_ms": 40,
                                                "max_seconds": 2}})
    started = time.monotonic()
    response = requests.get(instances_url(live), headers=AUTH, timeout=10)
    elapsed = time.monotonic() - started
    assert response.json() == {"instances": [], "total_count": 0, "page": 1, "per_page": 50}
    chunks = -(-len(response.content) // 8)
    assert elapsed >= 0.04 * (chunks - 1) * 0.9


def test_hang_until_the_client_gives_up_is_bounded(live: str) -> None:
    add_fault(live, {"match": LIST, "schedule": {"mode": "first", "n": 1}, "action": {"type": "hang", "seconds": 3}})
    with pytest.raises(requests.ReadTimeout):
        requests.get(instances_url(live), headers=AUTH, timeout=0.5)
    # The server thread is released after its bound: later calls are answered normally.
    time.sleep(3)
    assert requests.get(instances_url(live), headers=AUTH, timeout=5).status_code == 200


@pytest.mark.parametrize("distribution", ["fixed", "uniform", "lognormal"])
def test_latency_distributions(live: str, distribution: str) -> None:
    add_fault(live, {"match": LIST, "action": {"type": "latency", "ms": 150, "jitter_ms": 50,
                                                "distribution": distribution, "sigma": 0.1}})
    started = time.monotonic()
    assert requests.get(instances_url(live), headers=AUTH, timeout=10).status_code == 200
    elapsed_ms = (time.monotonic() - started) * 1000
    journal = requests.get(live + "/_twin/journal", params={"fault": "true"}, timeout=5).json()["entries"]
    drawn = journal[-1]["fault"]["delay_ms"]
    assert elapsed_ms >= drawn * 0.95
    if distribution == "fixed":
        assert drawn == 150
    elif distribution == "uniform":
        assert 100 <= drawn <= 200
    else:
        assert drawn > 0
