"""Barrack as its pages describe it, over real HTTP (`requests` against a served twin): one test per
rule of the second fidelity round, including the choices marked INFERRED in spec/barrack.yaml."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from .helpers import (CREATING, HIBERNATING, HOUR, IMAGE_CREATING, RESTORING, SNAPSHOT_CREATING, STOPPING,
                      VOLUME_CREATING, Barrack, expect_error)

VOLUME_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,28}[A-Za-z0-9]$")


def _stop(api: Barrack, instance_id: str) -> None:
    api.action(instance_id, "stop")
    api.advance(STOPPING)


def _volume_count(api: Barrack) -> int:
    return api.ok(api.get("/volumes/"))["pagination"]["total"]


# Custom images from stopped instances ("Select running or stopped instance") --------------
def test_a_stopped_instance_is_eligible_and_becomes_a_deployable_image(http_legacy: Barrack) -> None:
    api = http_legacy
    vm = api.running(name="golden-src", region="CANADA-1", gpu_model="A40", os_image_id=401)
    _stop(api, vm["id"])
    assert api.instance(vm["id"])["status"] == "SHUTOFF"
    eligible = api.ok(api.get("/snapshots/eligible-instances/"))["instances"]
    assert [i["id"] for i in eligible] == [vm["id"]]
    snap = api.ok(api.post("/snapshots/", json={"instance_id": vm["id"], "name": "golden", "is_image": True}), 201)
    assert api.instance(vm["id"])["status"] == "SHUTOFF"  # snapshotting does not start it
    api.advance(SNAPSHOT_CREATING + IMAGE_CREATING)
    image = api.ok(api.get(f"/snapshots/{snap['snapshot']['id']}/image/"))["image"]
    assert image["status"] == "available" and image["region"] == "CANADA-1"
    body = api.deploy_body(name="from-golden", region="CANADA-1", gpu_model="A40", boot_source="custom_image",
                           image_id=image["id"], os_image_id=None)
    assert api.deploy(**body)["instance"]["status"] == "CREATING"


def test_an_instance_in_transition_still_cannot_be_snapshotted(http: Barrack) -> None:
    vm = http.running(name="moving")
    http.action(vm["id"], "stop")  # STOPPING
    expect_error(http.post("/snapshots/", json={"instance_id": vm["id"], "name": "mid"}), 409, "invalid_state")


# Custom images by tier (INFERRED: made anywhere, deployed only in the legacy tier) ----------
def test_an_image_can_be_made_in_an_advanced_region_but_not_deployed_there(http: Barrack) -> None:
    vm = http.running(name="fi-src")
    snap = http.ok(http.post("/snapshots/", json={"instance_id": vm["id"], "name": "fi-snap"}), 201)["snapshot"]
    http.advance(SNAPSHOT_CREATING)
    image = http.ok(http.post(f"/snapshots/{snap['id']}/image/", json={"name": "fi-image"}), 201)["image"]
    assert (image["region"], image["status"]) == ("FINLAND-1", "creating")
    http.advance(IMAGE_CREATING)
    assert http.ok(http.get("/images/?region=FINLAND-1"))["images"][0]["status"] == "available"
    body = http.deploy_body(name="from-fi-image", boot_source="custom_image", image_id=image["id"], os_image_id=None)
    expect_error(http.post("/instances/", json=body), 400, "invalid")
    regions = {r["code"]: r for r in http.ok(http.get("/regions/"))["regions"]}
    assert not regions["FINLAND-1"]["capabilities"]["custom_images"]  # where one can be deployed
    assert regions["CANADA-1"]["capabilities"]["custom_images"]


# Cross-region clone -----------------------------------------------------------------------
def test_a_clone_into_another_region_is_refused_in_the_documented_words(http: Barrack) -> None:
    source = http.ready_volume(name="dataset", size=200)
    before = _volume_count(http)
    body = expect_error(http.post(f"/volumes/{source['id']}/clone/", json={"region": "FINLAND-2"}), 409,
                        "clone_cross_region")
    assert body["detail"] == "Cross-region cloning not supported"
    assert _volume_count(http) == before  # nothing was made
    same = http.ok(http.post(f"/volumes/{source['id']}/clone/", json={"region": "FINLAND-1"}), 201)["volume"]
    assert same["region"] == "FINLAND-1" and same["name"] == "dataset-clone"


def test_the_tier_is_checked_before_the_destination(http_legacy: Barrack) -> None:
    source = http_legacy.ready_volume(name="ca-data", region="CANADA-1", volume_type="Cloud-SSD", size=100)
    body = expect_error(http_legacy.post(f"/volumes/{source['id']}/clone/", json={"region": "FINLAND-1"}), 409,
                        "tier_not_supported")
    assert body["detail"] == "Cloning only supported for advanced tier regions"


# Default clone name (INFERRED scheme: cut the source, keep the suffix, number on collision) ---
@pytest.mark.parametrize("length", [3, 23, 24, 25, 29, 30])
def test_the_default_clone_name_is_always_valid_and_unused(http: Barrack, length: int) -> None:
    source = http.ready_volume(name=("s" * (length - 1)) + "z")
    names = {source["name"]}
    for _ in range(3):
        clone = http.ok(http.post(f"/volumes/{source['id']}/clone/"), 201)["volume"]
        assert VOLUME_NAME.match(clone["name"]) and clone["name"] not in names, clone["name"]
        assert "-clone" in clone["name"]
        names.add(clone["name"])
    http.advance(VOLUME_CREATING)


def test_the_default_clone_name_steps_over_names_taken_in_other_regions(http: Barrack) -> None:
    http.volume(name="weights-clone", region="FINLAND-2")
    source = http.ready_volume(name="weights")
    clone = http.ok(http.post(f"/volumes/{source['id']}/clone/"), 201)["volume"]
    assert clone["name"] == "weights-clone-2"


def test_a_29_character_source_no_longer_clones_onto_its_own_name(http: Barrack) -> None:
    source = http.ready_volume(name="c" * 29)
    clone = http.ok(http.post(f"/volumes/{source['id']}/clone/"), 201)["volume"]
    assert clone["name"] == "c" * 24 + "-clone"


# Billing records show the volume's status --------------------------------------------------
def _at(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_instance_billing_records_show_each_volumes_current_status(http: Barrack) -> None:
    deployment = http.deploy(volumes=[{"name": "scratch", "size": 1024, "volume_type": "NVMe"}])
    http.advance(CREATING + 2 * HOUR)
    billing = http.ok(http.get(f"/instances/{deployment['instance']['id']}/billing/?page_size=100"))
    volume_ids = {str(v) for v in deployment["created_volume_ids"]}
    by_volume: dict[str, list[dict]] = {}
    for record in billing["records"]:  # newest first
        if record["resource_type"] == "volume":
            by_volume.setdefault(record["resource_id"], []).append(record)
    assert volume_ids <= set(by_volume)
    for records in by_volume.values():
        assert records[0]["status"] == "in-use"  # the newest: what the volume is now
        creating = [r for r in records if r["status"] == "creating"]
        # `creating` covers only the volume's first moments, not the hours it has been in use.
        assert sum(_at(r["period_end"]) - _at(r["period_start"]) for r in creating) <= VOLUME_CREATING
        assert {r["status"] for r in records} <= {"creating", "in-use"}


# Volume limits (INFERRED: each deploy list apart, at most 10 data volumes per instance) ------
def test_a_deploy_holds_at_most_ten_data_volumes_and_leaves_no_trace_when_refused(http: Barrack) -> None:
    existing = [http.volume(name=f"old-{n}", size=100)["id"] for n in range(5)]
    http.advance(VOLUME_CREATING)
    before = _volume_count(http)
    new = [{"name": f"new-{n}", "size": 100} for n in range(6)]
    expect_error(http.post("/instances/", json=http.deploy_body(volumes=new, attach_volume_ids=existing)), 400,
                 "invalid")
    assert _volume_count(http) == before and http.ok(http.get("/instances/"))["instances"] == []
    # Each list on its own may hold 10 (the boot volume counts toward neither).
    http.deploy(name="ten-new", volumes=[{"name": f"ten-{n}", "size": 100} for n in range(10)])


def test_detaching_then_reattaching_at_the_limit_works_and_an_eleventh_is_refused(http: Barrack) -> None:
    existing = [http.volume(name=f"att-{n}", size=100)["id"] for n in range(4)]
    http.advance(VOLUME_CREATING)
    deployment = http.deploy(volumes=[{"name": f"new-{n}", "size": 100} for n in range(6)],
                             attach_volume_ids=existing)
    vm_id = deployment["instance"]["id"]
    http.advance(CREATING)
    _stop(http, vm_id)  # the advanced tier attaches and detaches while SHUTOFF
    one = existing[0]
    http.ok(http.post(f"/instances/{vm_id}/volumes/detach/", json={"volume_ids": [one]}))
    http.ok(http.post(f"/instances/{vm_id}/volumes/attach/", json={"volume_ids": [one]}))
    extra = http.ready_volume(name="eleventh", size=100)
    expect_error(http.post(f"/instances/{vm_id}/volumes/attach/", json={"volume_ids": [extra["id"]]}), 409,
                 "limit_reached")
    data = [a for a in http.instance(vm_id)["volume_attachments"] if not a["is_boot_volume"]]
    assert len(data) == 10


# Volume names (INFERRED: unique across all the account's volumes) ---------------------------
def test_a_volume_name_is_unique_across_regions(http: Barrack, http_legacy: Barrack) -> None:
    http.volume(name="shared", region="FINLAND-1")
    for region, volume_type in (("FINLAND-2", "NVMe"), ("FINLAND-3", "HDD")):
        expect_error(http.post("/volumes/", json={"name": "shared", "region": region, "size": 100,
                                                  "volume_type": volume_type}), 409, "name_taken")
    source = http.ready_volume(name="other", region="FINLAND-2")
    expect_error(http.post(f"/volumes/{source['id']}/clone/", json={"name": "shared"}), 409, "name_taken")
    body = http.deploy_body(name="vm", region="FINLAND-2", os_image_id=201, volumes=[{"name": "shared", "size": 100}])
    expect_error(http.post("/instances/", json=body), 409, "name_taken")
    # Another account's volumes are not yours: the name is free there.
    http_legacy.volume(name="shared", region="CANADA-1", volume_type="Cloud-SSD", size=100)


# Hibernation (INFERRED: data volumes and the public IP stay) --------------------------------
def test_hibernation_keeps_data_volumes_attached_and_the_public_ip(http: Barrack) -> None:
    deployment = http.deploy(volumes=[{"name": "keep-me", "size": 500}])
    vm_id, volume_id = deployment["instance"]["id"], deployment["created_volume_ids"][0]
    http.advance(CREATING)
    before = http.instance(vm_id)
    assert before["floating_ip"]
    http.action(vm_id, "hibernate")
    http.advance(HIBERNATING)
    asleep = http.instance(vm_id)
    assert asleep["status"] == "HIBERNATED" and asleep["floating_ip"] == before["floating_ip"]
    assert asleep["volume_attachments"] == before["volume_attachments"]
    assert http.get_volume(volume_id)["status"] == "in-use"
    billed = http.ok(http.get(f"/volumes/{volume_id}/billing/"))["summary"]["total_amount"]
    http.advance(HOUR)
    assert http.ok(http.get(f"/volumes/{volume_id}/billing/"))["summary"]["total_amount"] > billed
    http.action(vm_id, "restore")
    http.advance(RESTORING)
    awake = http.instance(vm_id)
    assert awake["status"] == "ACTIVE" and awake["floating_ip"] == before["floating_ip"]
    assert awake["volume_attachments"] == before["volume_attachments"]
