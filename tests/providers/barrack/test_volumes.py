"""Volumes: names, sizes per type, resize, clone with the provider's messages, attach rules."""

from __future__ import annotations

import pytest

from .helpers import STOPPING, VOLUME_CREATING, Barrack, expect_error

CLONE_STATE = "Volume can only be cloned when available or attached to shut off instance"
CLONE_TIER = "Cloning only supported for advanced tier regions"


@pytest.mark.parametrize("name", ["ab", "a" * 31, "-data", "data_", "has space", "dot.name"])
def test_bad_volume_names_are_400(bk: Barrack, name: str) -> None:
    expect_error(bk.post("/volumes/", json={"name": name, "region": "FINLAND-1", "size": 100, "volume_type": "NVMe"}),
                 400, "invalid")


def test_names_are_unique_across_the_accounts_volumes_and_next_name_is_offered(bk: Barrack) -> None:
    bk.volume(name="volume1")
    bk.volume(name="a_b-3" + "x" * 25)  # 30 characters, `_` and `-` inside
    expect_error(bk.post("/volumes/", json={"name": "volume1", "region": "FINLAND-1", "size": 100,
                                            "volume_type": "HDD"}), 409, "name_taken")
    expect_error(bk.post("/volumes/", json={"name": "volume1", "region": "FINLAND-2", "size": 100,
                                            "volume_type": "HDD"}), 409, "name_taken")
    assert bk.ok(bk.get("/volumes/"))["next_name"] == "volume2"


@pytest.mark.parametrize("region,volume_type,size,status", [
    ("FINLAND-1", "NVMe", 10000, 201), ("FINLAND-1", "NVMe", 10001, 400), ("FINLAND-1", "HDD", 16000, 201),
    ("FINLAND-1", "HDD", 16001, 400), ("FINLAND-1", "HDD", 99, 400), ("CANADA-1", "Cloud-SSD", 100, 201),
    ("CANADA-1", "NVMe", 100, 400), ("FINLAND-1", "Cloud-SSD", 100, 400),
])
def test_sizes_and_types_per_tier(bk: Barrack, region: str, volume_type: str, size: int, status: int) -> None:
    resp = bk.post("/volumes/", json={"name": "vol-x", "region": region, "size": size, "volume_type": volume_type})
    assert resp.status_code == status, resp.get_data(as_text=True)


def test_volume_lifecycle_and_delete_rules(bk: Barrack) -> None:
    volume = bk.volume()
    assert volume["status"] == "creating" and volume["price_per_hour"] == round(500 / 1024 * 0.30, 4)
    expect_error(bk.delete(f"/volumes/{volume['id']}/"), 409, "invalid_state")
    bk.advance(VOLUME_CREATING)
    assert bk.ok(bk.delete(f"/volumes/{volume['id']}/"))["volume_id"] == volume["id"]
    expect_error(bk.get(f"/volumes/{volume['id']}/"), 404)


def test_resize_only_grows_within_the_type_limit_and_only_in_advanced_regions(bk: Barrack, legacy: Barrack) -> None:
    volume = bk.ready_volume(volume_type="HDD", size=1000)
    path = f"/volumes/{volume['id']}/resize/"
    expect_error(bk.post(path, json={"size": 1000}), 409, "invalid_size")
    expect_error(bk.post(path, json={"size": 16001}), 400, "invalid")
    grown = bk.ok(bk.post(path, json={"size": 16000}))
    assert grown["previous_size"] == 1000 and grown["volume"]["size"] == 16000
    nvme = bk.ready_volume(name="fast", size=9000)
    expect_error(bk.post(f"/volumes/{nvme['id']}/resize/", json={"size": 12000}), 409, "invalid_size")
    young = bk.volume(name="young")
    expect_error(bk.post(f"/volumes/{young['id']}/resize/", json={"size": 600}), 409, "invalid_state")
    ca = legacy.ready_volume(name="ca-vol", region="CANADA-1", volume_type="Cloud-SSD")
    expect_error(legacy.post(f"/volumes/{ca['id']}/resize/", json={"size": 900}), 409, "tier_not_supported")


def test_clone_inherits_size_region_and_bootable_with_an_optional_type_switch(bk: Barrack) -> None:
    source = bk.ready_volume(name="source-disk", size=2000, volume_type="HDD", bootable=True, os_image_id=101)
    clone = bk.ok(bk.post(f"/volumes/{source['id']}/clone/", json={"volume_type": "NVMe"}), 201)
    assert clone["source_volume_id"] == source["id"]
    made = clone["volume"]
    assert (made["name"], made["size"], made["region"], made["bootable"], made["volume_type"], made["status"]) == \
        ("source-disk-clone", 2000, "FINLAND-1", True, "NVMe", "creating")
    assert made["source_volume_id"] == source["id"]
    # The default is always free: a second default clone is numbered.
    assert bk.ok(bk.post(f"/volumes/{source['id']}/clone/", json={}), 201)["volume"]["name"] == "source-disk-clone-2"
    expect_error(bk.post(f"/volumes/{source['id']}/clone/", json={"name": "source-disk-clone"}), 409, "name_taken")
    again = bk.ok(bk.post(f"/volumes/{source['id']}/clone/", json={"name": "second-copy"}), 201)["volume"]
    assert again["volume_type"] == "HDD"  # defaults to the source's type
    expect_error(bk.post(f"/volumes/{made['id']}/clone/", json={"name": "of-a-clone"}), 409, "clone_not_allowed")
    big = bk.ready_volume(name="huge", size=12000, volume_type="HDD")
    expect_error(bk.post(f"/volumes/{big['id']}/clone/", json={"volume_type": "NVMe"}), 409, "invalid_size")


def test_a_clone_takes_longer_the_larger_it_is(bk: Barrack) -> None:
    source = bk.ready_volume(name="big-source", size=2000, volume_type="HDD")
    clone = bk.ok(bk.post(f"/volumes/{source['id']}/clone/"), 201)["volume"]
    bk.advance(VOLUME_CREATING + 199)
    assert bk.get_volume(clone["id"])["status"] == "creating"
    bk.advance(1)
    assert bk.get_volume(clone["id"])["status"] == "available"
    again = bk.ok(bk.post(f"/volumes/{source['id']}/clone/", json={"name": "again"}), 201)["volume"]
    assert again["status"] == "creating"  # the source is unchanged and may be cloned again


def test_default_clone_name_cuts_the_source_not_the_suffix(bk: Barrack) -> None:
    source = bk.ready_volume(name="a" * 24 + "b")
    clone = bk.ok(bk.post(f"/volumes/{source['id']}/clone/"), 201)["volume"]
    assert clone["name"] == "a" * 24 + "-clone"
    # A cut that ends on a separator loses it, so the name still follows the rules.
    dashed = bk.ready_volume(name="x" * 23 + "-yy")
    assert bk.ok(bk.post(f"/volumes/{dashed['id']}/clone/"), 201)["volume"]["name"] == "x" * 23 + "-clone"


def test_clone_refusals_use_the_documented_messages_in_order(bk: Barrack, legacy: Barrack) -> None:
    deployment = bk.deploy(volumes=[{"name": "attached", "size": 100}])
    attached_id = deployment["created_volume_ids"][0]
    body = expect_error(bk.post(f"/volumes/{attached_id}/clone/"), 409, "clone_not_allowed")  # still creating
    assert body["detail"] == CLONE_STATE
    bk.advance(90)
    assert expect_error(bk.post(f"/volumes/{attached_id}/clone/"), 409)["detail"] == CLONE_STATE  # ACTIVE
    bk.action(deployment["instance"]["id"], "stop")
    bk.advance(STOPPING)
    assert bk.post(f"/volumes/{attached_id}/clone/").status_code == 201
    ca = legacy.ready_volume(name="ca-vol", region="CANADA-1", volume_type="Cloud-SSD")
    body = expect_error(legacy.post(f"/volumes/{ca['id']}/clone/"), 409, "tier_not_supported")
    assert body["detail"] == CLONE_TIER


def test_attach_and_detach_follow_the_tier_rule(bk: Barrack, legacy: Barrack) -> None:
    vm = bk.running()
    volume = bk.ready_volume(name="extra")
    attach = f"/instances/{vm['id']}/volumes/attach/"
    expect_error(bk.post(attach, json={"volume_ids": [volume["id"]]}), 409, "invalid_state")  # advanced: SHUTOFF only
    bk.action(vm["id"], "stop")
    bk.advance(STOPPING)
    far = bk.ready_volume(name="far", region="FINLAND-2")
    expect_error(bk.post(attach, json={"volume_ids": [volume["id"], far["id"]]}), 409, "region_mismatch")
    assert bk.get_volume(volume["id"])["status"] == "available"  # all or none
    done = bk.ok(bk.post(attach, json={"volume_ids": [volume["id"]]}))
    assert done["volumes"][0]["status"] == "in-use" and done["volumes"][0]["attachment"]["device"] == "/dev/vdb"
    expect_error(bk.delete(f"/volumes/{volume['id']}/"), 409, "volume_in_use")
    expect_error(bk.post(attach, json={"volume_ids": [volume["id"]]}), 409, "volume_in_use")
    boot_id = next(a["volume_id"] for a in bk.instance(vm["id"])["volume_attachments"] if a["is_boot_volume"])
    detach = f"/instances/{vm['id']}/volumes/detach/"
    expect_error(bk.post(detach, json={"volume_ids": [boot_id]}), 409, "boot_volume")
    assert bk.ok(bk.post(detach, json={"volume_ids": [volume["id"]]}))["volumes"][0]["status"] == "available"
    # Legacy tier: the instance must be ACTIVE instead.
    ca_vm = legacy.running(region="CANADA-1", gpu_model="A40", os_image_id=401)
    ca_volume = legacy.ready_volume(name="ca-data", region="CANADA-1", volume_type="Cloud-SSD")
    legacy.ok(legacy.post(f"/instances/{ca_vm['id']}/volumes/attach/", json={"volume_ids": [ca_volume["id"]]}))
