"""One Barrack workload under one set of faults, for every client of the verdict tests.

The faults: the first deploy's answer is lost after the deploy happened; the first two listings
are throttled with Retry-After: 60; the first four instance reads fail with 503. The client
deploys, lists, reads its instance until it answers, and ten minutes later lists once more.
"""

from __future__ import annotations

from typing import Any

from resilient_clients import Client, Policy

FLAVOUR = {"region": "FINLAND-3", "gpu_model": "H200-SXM5-141GB", "gpu_count": 1, "boot_source": "os_image",
           "os_image_id": 301}
RETRY_AFTER = 60
PAUSE = 600  # seconds between the last read and the closing listing


def add_faults(handle: Any) -> None:
    handle.add_fault(id="lost-deploy", match={"provider": "barrack", "operation": "createInstance"},
                     schedule={"mode": "first", "n": 1}, action={"type": "reset", "after_handler": True})
    handle.add_fault(id="throttled", match={"provider": "barrack", "operation": "listInstances"},
                     schedule={"mode": "first", "n": 2}, action={"type": "rate_limit", "retry_after": RETRY_AFTER})
    handle.add_fault(id="flaky-read", match={"provider": "barrack", "operation": "getInstance"},
                     schedule={"mode": "first", "n": 4}, action={"type": "error", "status": 503})


def run(client: Client, key_id: Any) -> dict[str, Any]:
    instance = client.deploy("train", {**FLAVOUR, "ssh_key_ids": [key_id]})
    client.call("GET", "/instances/")
    client.call("GET", f"/instances/{instance['id']}/")
    client.sleep(PAUSE * client.policy.scale)
    client.call("GET", "/instances/")
    return instance


def prepare(handle: Any) -> Any:
    """An SSH key to deploy with (made before the faults), then the faults."""
    key = handle.request("POST", "barrack", "/ssh-keys/", json={"name": "laptop"}).get_json()["ssh_key"]["id"]
    add_faults(handle)
    return key


def policies() -> dict[str, Policy]:
    from resilient_clients import BLIND_CREATE_RETRIES, DOES_IT_RIGHT, IGNORES_RETRY_AFTER, NO_BACKOFF

    return {"does-it-right": DOES_IT_RIGHT, "ignores-retry-after": IGNORES_RETRY_AFTER,
            "no-backoff": NO_BACKOFF, "blind-create-retries": BLIND_CREATE_RETRIES}
