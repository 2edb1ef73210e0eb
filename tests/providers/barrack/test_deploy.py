"""Deploy: boot sources and data volumes as each tier allows; refusals leave no trace."""

from __future__ import annotations

import re

from .helpers import CREATING, VOLUME_CREATING, Barrack, expect_error


def _volumes(bk: Barrack) -> list[dict]:
    return bk.ok(bk.get("/volumes/?page_size=100"))["volumes"]


def test_deployment_id_format_and_creating_until_built(bk: Barrack) -> None:
    deployment = bk.deploy()
    vm = deployment["instance"]
    assert re.fullmatch(r"DEP\d{7}", vm["id"]) and deployment["deployment_id"] == vm["id"]
    assert vm["status"] == "CREATING" and vm["server_uuid"] is None and vm["floating_ip"] is None
    bk.advance(CREATING - 1)
    assert bk.instance(vm["id"])["status"] == "CREATING"
    bk.advance(1)
    built = bk.instance(vm["id"])
    assert built["status"] == "ACTIVE" and built["server_uuid"] and built["floating_ip"] and built["fixed_ip"]


def test_advanced_boot_volume_is_configurable_within_100_and_10000(bk: Barrack) -> None:
    vm = bk.deploy(os_volume={"size": 750})["instance"]
    boot = next(v for v in _volumes(bk) if v["attachment"] and v["attachment"]["is_boot_volume"])
    assert (boot["size"], boot["volume_type"], boot["attachment"]["instance_id"]) == (750, "NVMe", vm["id"])
    for size in (99, 10001):
        expect_error(bk.post("/instances/", json=bk.deploy_body(name="x", os_volume={"size": size})), 400, "invalid")


def test_legacy_boot_is_fixed_at_100_and_takes_no_data_volumes(bk: Barrack) -> None:
    body = bk.deploy_body(name="ca", region="CANADA-1", gpu_model="A40", os_image_id=401)
    expect_error(bk.post("/instances/", json={**body, "os_volume": {"size": 200}}), 400, "invalid")
    expect_error(bk.post("/instances/", json={**body, "volumes": [{"name": "d1", "size": 100}]}), 400, "invalid")
    expect_error(bk.post("/instances/", json={**body, "boot_source": "user_volume", "volume_id": 1}), 400, "invalid")
    bk.deploy(**body)
    assert [(v["size"], v["volume_type"]) for v in _volumes(bk)] == [(100, "Cloud-SSD")]


def test_new_and_attached_data_volumes_are_checked_apart_and_hold_ten_together(bk: Barrack) -> None:
    attach = [bk.volume(name=f"old-{n:02d}", size=100)["id"] for n in range(10)]
    bk.advance(VOLUME_CREATING)
    new = [{"name": f"new-{n:02d}", "size": 100, "volume_type": "HDD"} for n in range(10)]
    # 10 + 10 would make an instance over the per-instance limit of 10 data volumes.
    expect_error(bk.post("/instances/", json=bk.deploy_body(volumes=new, attach_volume_ids=attach)), 400, "invalid")
    deployment = bk.deploy(volumes=new[:4], attach_volume_ids=attach[:6])
    bk.advance(CREATING)
    vm = bk.instance(deployment["instance"]["id"])
    assert len(vm["volume_attachments"]) == 11  # the boot volume counts toward neither list
    assert sum(a["is_boot_volume"] for a in vm["volume_attachments"]) == 1
    assert all(bk.get_volume(v)["status"] == "in-use" for v in attach[:6] + deployment["created_volume_ids"])
    too_many = [{"name": f"more-{n:02d}", "size": 100} for n in range(11)]
    expect_error(bk.post("/instances/", json=bk.deploy_body(name="b", volumes=too_many)), 400, "invalid")


def test_boot_from_own_bootable_volume_in_the_advanced_tier(bk: Barrack) -> None:
    boot = bk.ready_volume(name="my-boot", size=300, bootable=True, os_image_id=101)
    data = bk.ready_volume(name="plain", size=100)
    body = bk.deploy_body(name="vb", boot_source="user_volume", volume_id=boot["id"], os_image_id=None)
    expect_error(bk.post("/instances/", json={**body, "attach_volume_ids": [boot["id"]]}), 400, "invalid")
    expect_error(bk.post("/instances/", json={**body, "volume_id": data["id"]}), 409, "invalid_state")
    vm = bk.deploy(**body)["instance"]
    bk.advance(CREATING)
    detail = bk.instance(vm["id"])
    assert detail["boot_source"] == "user_volume" and detail["image"] is None and detail["ssh_key_ids"] == []
    assert detail["specs"]["boot_disk_gb"] == 300
    # Deleting the instance keeps a boot volume that was the user's own.
    bk.ok(bk.delete(f"/instances/{vm['id']}/"))
    bk.advance(20)
    assert bk.get_volume(boot["id"])["status"] == "available"


def test_attach_at_deploy_needs_an_available_volume_of_the_same_region(bk: Barrack) -> None:
    elsewhere = bk.ready_volume(name="far", region="FINLAND-2")
    expect_error(bk.post("/instances/", json=bk.deploy_body(attach_volume_ids=[elsewhere["id"]])), 409, "region_mismatch")
    busy = bk.volume(name="busy")
    expect_error(bk.post("/instances/", json=bk.deploy_body(attach_volume_ids=[busy["id"]])), 409, "invalid_state")
    expect_error(bk.post("/instances/", json=bk.deploy_body(attach_volume_ids=[999])), 404, "not_found")


def test_a_refused_deploy_leaves_no_trace(bk: Barrack) -> None:
    taken = bk.ready_volume(name="dataset")
    before = bk.ok(bk.get("/gpu-stocks/?region=FINLAND-1"))
    body = bk.deploy_body(volumes=[{"name": "fresh", "size": 100}, {"name": "dataset", "size": 100}])
    expect_error(bk.post("/instances/", json=body), 409, "name_taken")
    assert [v["id"] for v in _volumes(bk)] == [taken["id"]]
    assert bk.ok(bk.get("/instances/"))["instances"] == []
    assert bk.ok(bk.get("/gpu-stocks/?region=FINLAND-1"))["stocks"] == before["stocks"]


def test_deploy_refusals_for_stock_keys_images_and_credit(bk: Barrack) -> None:
    expect_error(bk.post("/instances/", json=bk.deploy_body(gpu_model="L40")), 409, "not_offered")
    expect_error(bk.post("/instances/", json=bk.deploy_body(gpu_model="A100-SXM4-80GB-NVLink", gpu_count=8)), 409,
                 "out_of_stock")
    expect_error(bk.post("/instances/", json=bk.deploy_body(os_image_id=201)), 404, "not_found")
    body = bk.deploy_body()
    del body["ssh_key_ids"]
    expect_error(bk.post("/instances/", json=body), 400, "invalid")
    expect_error(bk.post("/instances/", json=bk.deploy_body(ssh_key_ids=[4242])), 404)
    expect_error(bk.post("/instances/", json=bk.deploy_body(boot_source="custom_image", image_id=1)), 400)
    bk.running(name="big", gpu_count=8)  # 21.52 USD an hour eats the 100 USD of credit in 5 hours
    bk.advance(5 * 3600)
    expect_error(bk.post("/instances/", json=bk.deploy_body()), 409, "insufficient_credit")


def test_instance_names_are_unique_among_live_instances(bk: Barrack) -> None:
    bk.deploy(name="same")
    expect_error(bk.post("/instances/", json=bk.deploy_body(name="same")), 409, "name_taken")


def test_new_accounts_get_credentials_credit_and_their_profile_rule(bk: Barrack) -> None:
    resp = bk.client.post("/_twin/accounts", json={
        "id": "newco", "credentials": {"barrack": {"api_key": "bk-newco", "email": "n@example.com",
                                                   "password": "pw", "currency": "INR"}},
        "settings": {"barrack": {"profile_complete": False, "initial_credit": 250}}})
    assert resp.status_code in (200, 201), resp.get_data(as_text=True)
    newco = bk.as_key("bk-newco")
    assert newco.ok(newco.get("/balance/"))["balance"] == {"amount": 250, "currency": "INR"}
    expect_error(newco.post("/volumes/", json={"name": "vol-1", "region": "FINLAND-1", "size": 100,
                                               "volume_type": "NVMe"}), 409, "profile_incomplete")
    generated = bk.client.post("/_twin/accounts", json={"id": "anon"}).get_json()["credentials"]["barrack"]
    anon = bk.as_key(generated["api_key"])
    assert anon.ok(anon.get("/balance/"))["balance"] == {"amount": 100, "currency": "USD"}


def test_legacy_boot_from_an_existing_volume_ignores_keys_and_scripts(legacy: Barrack) -> None:
    boot = legacy.ready_volume(name="ca-boot", region="CANADA-1", volume_type="Cloud-SSD", size=250,
                               bootable=True, os_image_id=401)
    script = legacy.ok(legacy.post("/scripts/", json={"name": "init", "content": "echo"}), 201)["script"]["id"]
    body = legacy.deploy_body(name="ca-vol", region="CANADA-1", gpu_model="A40", boot_source="existing_volume",
                              volume_id=boot["id"], os_image_id=None, ssh_key_ids=[4242], startup_script_id=script)
    vm = legacy.deploy(**body)["instance"]
    legacy.advance(CREATING)
    detail = legacy.instance(vm["id"])
    assert (detail["ssh_key_ids"], detail["startup_script_id"], detail["specs"]["boot_disk_gb"]) == ([], None, 250)
    assert legacy.get_volume(boot["id"])["attachment"]["is_boot_volume"]
    expect_error(legacy.post("/instances/", json={**body, "name": "again"}), 409, "volume_in_use")
