"""Snapshots and custom images: ACTIVE sources, one image per snapshot, legacy-only images."""

from __future__ import annotations

from .helpers import CREATING, IMAGE_CREATING, SNAPSHOT_CREATING, STOPPING, Barrack, expect_error


def _legacy_snapshot(legacy: Barrack, name: str = "golden", **body: object) -> tuple[dict, dict]:
    vm = legacy.running(name=f"vm-{name}", region="CANADA-1", gpu_model="A40", os_image_id=401)
    snap = legacy.ok(legacy.post("/snapshots/", json={"instance_id": vm["id"], "name": name, **body}), 201)["snapshot"]
    return vm, snap


def test_only_built_running_or_stopped_instances_are_snapshotted(bk: Barrack) -> None:
    young = bk.deploy(name="young")["instance"]
    expect_error(bk.post("/snapshots/", json={"instance_id": young["id"], "name": "s"}), 409, "invalid_state")
    bk.advance(CREATING)
    snap = bk.ok(bk.post("/snapshots/", json={"instance_id": young["id"], "name": "s"}), 201)["snapshot"]
    assert snap["status"] == "creating" and snap["region"] == "FINLAND-1"
    expect_error(bk.post("/snapshots/", json={"instance_id": young["id"], "name": "s"}), 409, "name_taken")
    expect_error(bk.delete(f"/snapshots/{snap['id']}/"), 409, "invalid_state")
    listed = bk.ok(bk.get("/snapshots/"))["snapshots"][0]
    assert (listed["size"], listed["has_image"]) == (0, False)
    bk.advance(SNAPSHOT_CREATING)
    detail = bk.ok(bk.get(f"/snapshots/{snap['id']}/"))["snapshot"]
    assert detail["status"] == "available" and detail["size"] == 100 and detail["gpu_model"] == "H100-SXM5-80GB"
    bk.action(young["id"], "stop")
    expect_error(bk.post("/snapshots/", json={"instance_id": young["id"], "name": "off"}), 409, "invalid_state")
    bk.advance(STOPPING)  # SHUTOFF: "Select running or stopped instance"
    assert bk.ok(bk.post("/snapshots/", json={"instance_id": young["id"], "name": "off"}), 201)["snapshot"]


def test_restore_creates_a_new_instance_and_leaves_the_original_alone(bk: Barrack) -> None:
    vm = bk.running(name="train-01")
    snap = bk.ok(bk.post("/snapshots/", json={"instance_id": vm["id"], "name": "nightly"}), 201)["snapshot"]
    expect_error(bk.post(f"/snapshots/{snap['id']}/restore/"), 409, "invalid_state")
    bk.advance(SNAPSHOT_CREATING)
    restored = bk.ok(bk.post(f"/snapshots/{snap['id']}/restore/", json={}), 201)["instance"]
    assert restored["name"] == "nightly-restored" and restored["status"] == "CREATING" and restored["id"] != vm["id"]
    expect_error(bk.post(f"/snapshots/{snap['id']}/restore/"), 409, "name_taken")
    bk.advance(CREATING)
    new = bk.instance(restored["id"])
    assert new["floating_ip"] != vm["floating_ip"] and new["fixed_ip"] != vm["fixed_ip"]
    assert bk.instance(vm["id"])["status"] == "ACTIVE"
    # Deleting the snapshot touches neither instance.
    bk.ok(bk.delete(f"/snapshots/{snap['id']}/"))
    assert len(bk.ok(bk.get("/instances/"))["instances"]) == 2


def test_images_come_from_available_legacy_snapshots_one_per_snapshot(legacy: Barrack) -> None:
    _, snap = _legacy_snapshot(legacy)
    expect_error(legacy.post(f"/snapshots/{snap['id']}/image/"), 409, "invalid_state")
    legacy.advance(SNAPSHOT_CREATING)
    image = legacy.ok(legacy.post(f"/snapshots/{snap['id']}/image/"), 201)["image"]
    assert (image["name"], image["status"], image["snapshot_id"], image["size"]) == ("golden", "creating", snap["id"], 100)
    expect_error(legacy.post(f"/snapshots/{snap['id']}/image/", json={"name": "second"}), 409, "image_exists")
    expect_error(legacy.delete(f"/images/{image['id']}/"), 409, "invalid_state")
    relation = legacy.ok(legacy.get(f"/snapshots/{snap['id']}/image/"))
    assert relation["has_image"] and relation["image"]["id"] == image["id"]
    legacy.advance(IMAGE_CREATING)
    batch = legacy.ok(legacy.post("/snapshots/image-relationships/", json={"snapshot_ids": [snap["id"], 999]}))
    assert [(r["exists"], r["has_image"]) for r in batch["relationships"]] == [(True, True), (False, False)]
    # Deleting the snapshot keeps the image (its snapshot_id becomes null); deleting the image frees nothing else.
    legacy.ok(legacy.delete(f"/snapshots/{snap['id']}/"))
    assert legacy.ok(legacy.get(f"/images/{image['id']}/"))["image"]["snapshot_id"] is None
    legacy.ok(legacy.delete(f"/images/{image['id']}/"))
    assert legacy.ok(legacy.get("/images/"))["images"] == []


def test_image_names_are_unique_and_is_image_makes_one_when_available(legacy: Barrack) -> None:
    _, first = _legacy_snapshot(legacy, "first", is_image=True)
    legacy.advance(SNAPSHOT_CREATING)
    images = legacy.ok(legacy.get("/images/?region=CANADA-1"))["images"]
    assert [i["name"] for i in images] == ["first"]
    _, second = _legacy_snapshot(legacy, "second")
    legacy.advance(SNAPSHOT_CREATING)
    expect_error(legacy.post(f"/snapshots/{second['id']}/image/", json={"name": "first"}), 409, "name_taken")


def test_custom_images_deploy_only_in_the_legacy_tier_once_available(bk: Barrack, legacy: Barrack) -> None:
    vm = bk.running()
    bk.ok(bk.post("/snapshots/", json={"instance_id": vm["id"], "name": "img", "is_image": True}), 201)
    _, snap = _legacy_snapshot(legacy)
    legacy.advance(SNAPSHOT_CREATING)
    image = legacy.ok(legacy.post(f"/snapshots/{snap['id']}/image/"), 201)["image"]
    body = legacy.deploy_body(name="from-image", region="CANADA-1", gpu_model="A40", boot_source="custom_image",
                              image_id=image["id"], os_image_id=None)
    expect_error(legacy.post("/instances/", json=body), 409, "invalid_state")
    legacy.advance(IMAGE_CREATING)
    deployed = legacy.deploy(**body)["instance"]
    assert legacy.instance(deployed["id"])["image"] == {"id": image["id"], "name": "golden", "kind": "custom_image"}
    finland = bk.deploy_body(name="no", boot_source="custom_image", image_id=image["id"], os_image_id=None)
    expect_error(bk.post("/instances/", json=finland), 400, "invalid")
