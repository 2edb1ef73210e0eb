"""Operator actions: the twin's Cloud Files and server snapshots (standing in for Cloud Servers)."""

from __future__ import annotations

from .conftest import Rax


def test_actions_are_listed(client):
    actions = client.get("/_twin/providers/rackspace/actions").get_json()["actions"]
    assert actions == ["create_snapshot_image", "delete_object", "list_objects", "put_object"]


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
