"""Operator actions: the twin's Cloud Files and server snapshots (standing in for Cloud Servers)."""

from __future__ import annotations

from .conftest import Rax


def test_actions_are_listed(client):
    actions = client.get("/_twin/providers/rackspace/actions").get_json()["actions"]
    assert actions == ["create_snapshot_image", "deactivate_image", "delete_object", "list_objects", "put_object",
                       "reactivate_image"]


def test_snapshot_images_go_queued_saving_active(rax: Rax):
    made = rax.action("create_snapshot_image", account="default", name="nightly", size=2048)
    assert made["status"] == "queued" and made["image_type"] == "snapshot" and made["owner"] == "100001"
    path = f"/v2/images/{made['id']}"
    assert rax.get(path).get_json()["status"] == "queued"
    rax.advance(10)
    assert rax.get(path).get_json()["status"] == "saving"
    rax.advance(60)
    assert rax.get(path).get_json()["status"] == "active"
    assert made["id"] in [i["id"] for i in rax.get("/v2/images?image_type=snapshot").get_json()["images"]]


def test_snapshots_belong_to_the_chosen_account_and_region(rax, other):
    made = rax.action("create_snapshot_image", account="other", region="IAD", status="active")
    assert rax.get(f"/v2/images/{made['id']}").status_code == 404
    assert other.get(f"/v2/images/{made['id']}").status_code == 404  # another region
    assert other.client.get(f"/rackspace/images/IAD/v2/images/{made['id']}",
                            headers={**other.headers}).status_code == 200


def test_objects_are_seeded_per_account_and_region(rax):
    dfw = {o["name"] for o in rax.action("list_objects", account="default", region="DFW", container="images")}
    assert dfw == {"ubuntu-custom.vhd", "notes.txt", "huge-disk.vhd", "child-diff.vhd", "win2012.vhd"}
    iad = rax.action("list_objects", account="default", region="IAD")
    assert [o["name"] for o in iad] == ["centos-custom.vhd"]
    assert [o["name"] for o in rax.action("list_objects", account="other")] == ["other-base.vhd"]
    assert rax.action("list_objects", account="legacy") == []


def test_put_and_delete_objects(rax):
    put = rax.action("put_object", account="default", container="new", object="disk.vhd", bytes=10)
    assert put["bytes"] == 10 and put["container"] == "new"
    assert rax.action("delete_object", account="default", container="new", object="disk.vhd") == {"deleted": "disk.vhd"}
    missing = rax.client.post("/_twin/providers/rackspace/actions/delete_object",
                              json={"account": "default", "container": "new", "object": "disk.vhd"})
    assert missing.status_code == 404


def test_a_failed_snapshot_ends_killed_shown_by_id_and_left_out_of_lists(rax, twin):
    made = rax.action("create_snapshot_image", account="default", name="broken", fails=True)
    rax.advance(10)
    assert rax.get(f"/v2/images/{made['id']}").get_json()["status"] == "saving"
    rax.advance(60)
    shown = rax.get(f"/v2/images/{made['id']}")
    assert shown.status_code == 200 and shown.get_json()["status"] == "killed"
    assert made["id"] not in [i["id"] for i in rax.get("/v2/images?limit=100").get_json()["images"]]
    assert twin.store.table("rackspace", "image").get(f"DFW/{made['id']}").data["status"] == "killed"


def test_operator_deactivation_keeps_metadata_usable_but_blocks_export(rax):
    from .conftest import WEB_GOLDEN
    done = rax.action("deactivate_image", account="default", image=WEB_GOLDEN)
    assert done["status"] == "deactivated"
    assert rax.get(f"/v2/images/{WEB_GOLDEN}").get_json()["status"] == "deactivated"
    patched = rax.patch_json(WEB_GOLDEN, [{"op": "replace", "path": "/name", "value": "still-editable"}])
    assert patched.status_code == 200 and patched.get_json()["status"] == "deactivated"
    task = rax.post("/v2/tasks", json={"type": "export", "input": {
        "image_uuid": WEB_GOLDEN, "receiving_swift_container": "exports"}}).get_json()
    rax.advance(65)
    assert "is not active" in rax.get(f"/v2/tasks/{task['id']}").get_json()["message"]
    assert rax.action("reactivate_image", account="default", image=WEB_GOLDEN)["status"] == "active"
    queued = rax.action("create_snapshot_image", account="default")
    refused = rax.client.post("/_twin/providers/rackspace/actions/deactivate_image",
                              json={"account": "default", "image": queued["id"]})
    assert refused.status_code == 400 and "status 'queued'" in refused.get_data(as_text=True)


def test_state_export_and_import_keeps_tokens_images_and_tasks(rax, twin, client):
    task = rax.post("/v2/tasks", json={"type": "import", "input": {"import_from": "images/ubuntu-custom.vhd"}}).get_json()
    state = client.get("/_twin/state").get_json()
    twin.reset()
    assert rax.get("/v2/images").status_code == 401  # the token went with the state
    assert client.put("/_twin/state", json=state).status_code in (200, 204)
    rax.advance(65)
    assert rax.get(f"/v2/tasks/{task['id']}").get_json()["status"] == "success"
