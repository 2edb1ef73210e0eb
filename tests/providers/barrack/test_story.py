"""The whole journey: deploy with data volumes, stop, clone, snapshot, image, run out of credit."""

from __future__ import annotations

import pytest

from .helpers import CREATING, HOUR, SNAPSHOT_CREATING, STARTING, STOPPING, VOLUME_CREATING, Barrack, expect_error


def test_training_run_until_credits_run_out_then_top_up_and_restore(bk: Barrack) -> None:
    # Deploy in FINLAND-2 with two new data volumes.
    deployment = bk.deploy(name="trainer", region="FINLAND-2", gpu_model="L40", gpu_count=1, os_image_id=201,
                           os_volume={"size": 200},
                           volumes=[{"name": "dataset", "size": 1024, "volume_type": "HDD"},
                                    {"name": "checkpoints", "size": 512, "volume_type": "NVMe"}])
    vm_id = deployment["instance"]["id"]
    assert deployment["instance"]["status"] == "CREATING" and len(deployment["created_volume_ids"]) == 2
    bk.advance(CREATING)
    vm = bk.instance(vm_id)
    assert vm["status"] == "ACTIVE" and vm["server_uuid"] and len(vm["volume_attachments"]) == 3
    dataset_id = deployment["created_volume_ids"][0]
    assert bk.get_volume(dataset_id)["status"] == "in-use"

    # A running instance's volume cannot be cloned; once stopped it can.
    expect_error(bk.post(f"/volumes/{dataset_id}/clone/", json={}), 409, "clone_not_allowed")
    bk.action(vm_id, "stop")
    bk.advance(STOPPING)
    clone = bk.ok(bk.post(f"/volumes/{dataset_id}/clone/", json={}), 201)["volume"]
    assert (clone["name"], clone["size"], clone["volume_type"], clone["status"]) == ("dataset-clone", 1024, "HDD", "creating")
    bk.advance(VOLUME_CREATING + 1024 / 10)  # copying grows with size: 1 s per 10 GB
    assert bk.get_volume(clone["id"])["status"] == "available"

    # Snapshots need an ACTIVE instance; custom images exist only in the legacy tier.
    bk.action(vm_id, "start")
    bk.advance(STARTING)
    snap = bk.ok(bk.post("/snapshots/", json={"instance_id": vm_id, "name": "epoch-10"}), 201)["snapshot"]
    bk.advance(SNAPSHOT_CREATING)
    assert bk.ok(bk.get(f"/snapshots/{snap['id']}/"))["snapshot"]["status"] == "available"
    # An image can be made in FINLAND-2 (the pages limit only deploying one to the legacy tier).
    assert bk.ok(bk.post(f"/snapshots/{snap['id']}/image/", json={}), 201)["image"]["region"] == "FINLAND-2"
    legacy_vm = bk.running(name="ca-box", region="CANADA-1", gpu_model="A40", os_image_id=401)
    legacy_snap = bk.ok(bk.post("/snapshots/", json={"instance_id": legacy_vm["id"], "name": "golden"}), 201)["snapshot"]
    bk.advance(SNAPSHOT_CREATING)
    image = bk.ok(bk.post(f"/snapshots/{legacy_snap['id']}/image/", json={"name": "golden-image"}), 201)["image"]
    assert image["status"] == "creating" and image["region"] == "CANADA-1"

    # Watch the balance fall hour by hour, at the rate the account says it spends.
    spend = bk.ok(bk.get("/balance/"))["hourly_spend"]
    assert spend > 1.5
    previous = bk.balance()
    hours = 0
    while True:
        bk.advance(HOUR)
        hours += 1
        state = bk.ok(bk.get("/balance/"))
        now = state["balance"]["amount"]
        if state["resource_protection_active"]:
            break
        assert previous - now == pytest.approx(spend, abs=1e-3)  # exactly the hourly spend, every hour
        previous = now
        assert hours < 200
    # Protected within that last hour, at zero; the rest of the hour accrued storage and hibernation.
    assert previous < spend and -spend < now <= 0
    # Protected, not deleted: every instance hibernates, volumes and snapshots are kept.
    for vm_id_ in (vm_id, legacy_vm["id"]):
        assert bk.instance(vm_id_)["status"] in ("HIBERNATING", "HIBERNATED")
    assert bk.get_volume(clone["id"])["status"] == "available"
    expect_error(bk.post("/volumes/", json={"name": "more", "region": "FINLAND-2", "size": 100, "volume_type": "HDD"}),
                 409, "insufficient_credit")
    bk.advance(HOUR)
    assert bk.instance(vm_id)["status"] == "HIBERNATED"
    expect_error(bk.post(f"/instances/{vm_id}/restore/"), 409, "insufficient_credit")

    # The operator tops up; the user restores the instance with the same configuration.
    result = bk.top_up(50)
    assert result["resource_protection_active"] is False and result["balance"] > 40
    restored = bk.action(vm_id, "restore")["instance"]
    assert restored["status"] == "RESTORING"
    bk.advance(180)
    vm = bk.instance(vm_id)
    assert vm["status"] == "ACTIVE" and len(vm["volume_attachments"]) == 3
    billing = bk.ok(bk.get(f"/instances/{vm_id}/billing/"))
    assert billing["breakdown"]["hibernation"]["recent"][0]["reason"] == "credit_depletion"
    assert billing["breakdown"]["hibernation"]["recent"][0]["restored_at"] is not None
