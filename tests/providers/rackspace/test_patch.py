"""PATCH /v2/images/{id}: both media types, restricted pointers, Rackspace protections, atomicity."""

from __future__ import annotations

import pytest

from .conftest import PATCH20, PATCH21, UBUNTU, WEB_GOLDEN


def image(rax):
    return rax.get(f"/v2/images/{WEB_GOLDEN}").get_json()


def test_v21_replace_add_remove(rax):
    before = image(rax)
    reply = rax.patch_json(WEB_GOLDEN, [
        {"op": "replace", "path": "/name", "value": "web-golden-2"},
        {"op": "add", "path": "/com.example.tier", "value": "gold"},
        {"op": "remove", "path": "/com.example.role"},
        {"op": "replace", "path": "/min_ram", "value": 1024},
    ])
    assert reply.status_code == 200
    after = reply.get_json()
    assert after["name"] == "web-golden-2" and after["com.example.tier"] == "gold" and after["min_ram"] == 1024
    assert "com.example.role" not in after
    assert after == image(rax)
    assert before["updated_at"] <= after["updated_at"]


def test_v21_add_overwrites_but_v20_add_of_a_present_property_is_409(rax):
    assert rax.patch_json(WEB_GOLDEN, [{"op": "add", "path": "/com.example.role", "value": "db"}]).status_code == 200
    conflict = rax.patch_json(WEB_GOLDEN, [{"add": "/com.example.role", "value": "x"}], PATCH20)
    assert conflict.status_code == 409
    assert "Property com.example.role already present." in conflict.get_json()["message"]
    ok = rax.patch_json(WEB_GOLDEN, [{"replace": "/name", "value": "v20"}, {"add": "/com.example.new", "value": "1"},
                                     {"remove": "/com.example.role"}], PATCH20)
    assert ok.status_code == 200 and ok.get_json()["name"] == "v20" and "com.example.role" not in ok.get_json()


@pytest.mark.parametrize("content_type", ["application/json", "application/json-patch+json", "text/plain"])
def test_other_content_types_are_415_with_accept_patch(rax, content_type):
    reply = rax.patch(f"/v2/images/{WEB_GOLDEN}", data='[{"op": "replace", "path": "/name", "value": "x"}]',
                      headers={"Content-Type": content_type})
    assert reply.status_code == 415
    assert reply.headers["Accept-Patch"] == f"{PATCH20}, {PATCH21}"
    assert image(rax)["name"] == "web-golden"


@pytest.mark.parametrize("body", [
    {"op": "replace", "path": "/name", "value": "x"},                 # not an array
    [["replace", "/name"]],                                           # operation not an object
    [{"op": "move", "path": "/name", "value": "x"}],                  # unknown op
    [{"op": "replace", "value": "x"}],                                # no path
    [{"op": "replace", "path": "/name"}],                             # no value
    [{"op": "replace", "path": "name", "value": "x"}],                # no leading slash
    [{"op": "replace", "path": "/a/b", "value": "x"}],                # two tokens
    [{"op": "replace", "path": "/", "value": "x"}],                   # empty token
    [{"op": "replace", "path": "/a~2", "value": "x"}],                # bad escape
    [{"op": "replace", "path": "/min_ram", "value": "lots"}],         # schema: integer
    [{"op": "replace", "path": "/min_disk", "value": -1}],            # schema: minimum
    [{"op": "add", "path": "/com.example.n", "value": 5}],            # extra properties are strings
    [{"op": "replace", "path": "/name", "value": "n" * 256}],         # name too long
    [{"op": "replace", "path": "/protected", "value": "yes"}],        # boolean
])
def test_malformed_patches_are_400_and_change_nothing(rax, body):
    before = image(rax)
    reply = rax.patch_json(WEB_GOLDEN, body)
    assert reply.status_code == 400, reply.get_data(as_text=True)
    assert image(rax) == before


def test_bad_json_and_missing_body(rax):
    garbled = rax.patch(f"/v2/images/{WEB_GOLDEN}", data="[{", headers={"Content-Type": PATCH21})
    assert garbled.status_code == 400 and "Malformed JSON" in garbled.get_json()["message"]
    assert rax.patch(f"/v2/images/{WEB_GOLDEN}", headers={"Content-Type": PATCH21}).status_code == 400


@pytest.mark.parametrize("op,name,status,words", [
    ("replace", "status", 403, "Attribute 'status' is read-only."),
    ("add", "checksum", 403, "Attribute 'checksum' is read-only."),
    ("remove", "id", 403, "Attribute 'id' is read-only."),
    ("replace", "size", 403, "read-only"),
    ("add", "deleted", 403, "Attribute 'deleted' is reserved."),
    ("add", "location", 403, "reserved"),
    ("replace", "image_type", 403, "permission to replace the property 'image_type'"),
    ("remove", "os_type", 403, "permission to remove the property 'os_type'"),
    ("add", "com.rackspace__1__mine", 403, "com.rackspace__1__mine"),
    ("replace", "com.rackspace__1__options", 403, "com.rackspace__1__options"),
    ("replace", "org.openstack__1__os_distro", 403, "org.openstack__1__os_distro"),
    ("replace", "owner", 403, "'owner'"),
    ("remove", "visibility", 403, "visibility"),
    ("replace", "visibility", 403, "publicize_image"),
    ("remove", "name", 403, "Property name may not be removed."),
    ("replace", "disk_format", 403, "can be only replaced for a queued image"),
    ("replace", "com.example.absent", 409, "Property com.example.absent does not exist."),
    ("remove", "com.example.absent", 409, "Property com.example.absent does not exist."),
])
def test_refused_operation_fails_the_whole_patch(rax, op, name, status, words):
    values = {"visibility": "public", "disk_format": "raw", "owner": "100002"}
    refused = {"op": op, "path": f"/{name}"}
    if op != "remove":
        refused["value"] = values.get(name, "x")
    before = image(rax)
    reply = rax.patch_json(WEB_GOLDEN, [{"op": "replace", "path": "/name", "value": "changed"}, refused])
    assert reply.status_code == status, reply.get_data(as_text=True)
    assert words in reply.get_json()["message"]
    assert image(rax) == before  # the first, valid operation was not saved either


def test_replace_of_an_unset_core_attribute_succeeds(rax):
    reply = rax.patch_json(WEB_GOLDEN, [{"op": "replace", "path": "/os_version", "value": "16.04"},
                                        {"op": "replace", "path": "/kernel_id", "value": None}])
    assert reply.status_code == 200 and reply.get_json()["os_version"] == "16.04"


def test_private_visibility_and_protected_can_be_set(rax):
    reply = rax.patch_json(WEB_GOLDEN, [{"op": "replace", "path": "/visibility", "value": "private"},
                                        {"op": "replace", "path": "/protected", "value": True}])
    assert reply.status_code == 200 and reply.get_json()["protected"] is True


def test_tags_through_patch_are_a_set(rax):
    reply = rax.patch_json(WEB_GOLDEN, [{"op": "replace", "path": "/tags", "value": ["a", "b", "a"]}])
    assert reply.get_json()["tags"] == ["a", "b"]


def test_escaped_pointers_name_properties_with_slashes_and_tildes(rax):
    reply = rax.patch_json(WEB_GOLDEN, [{"op": "add", "path": "/com.example~1a~0b", "value": "v"}])
    assert reply.status_code == 200 and reply.get_json()["com.example/a~b"] == "v"


def test_only_the_owner_may_patch(rax, other):
    assert other.patch_json(WEB_GOLDEN, [{"op": "replace", "path": "/name", "value": "x"}]).status_code == 403
    assert rax.patch_json(UBUNTU, [{"op": "replace", "path": "/name", "value": "x"}]).status_code == 403
    unknown = rax.patch_json("00000000-0000-4000-8000-000000000000", [{"op": "replace", "path": "/name", "value": "x"}])
    assert unknown.status_code == 404


def test_property_quota_is_413_in_plain_text(rax, twin):
    quotas = twin.fixtures["rackspace"]["quotas"]
    twin.fixtures["rackspace"] = {**twin.fixtures["rackspace"],
                                  "quotas": {**quotas, "per_image": {**quotas["per_image"], "properties": 30}}}
    ops = [{"op": "add", "path": f"/com.example.p{n}", "value": "v"} for n in range(31)]
    reply = rax.patch_json(WEB_GOLDEN, ops)
    assert reply.status_code == 413
    assert reply.content_type == "text/plain; charset=UTF-8"
    assert "Maximum number of image properties exceeded" in reply.get_data(as_text=True)
    # Removing properties is allowed even when over the quota.
    assert rax.patch_json(WEB_GOLDEN, [{"op": "remove", "path": "/com.example.role"}]).status_code == 200


def test_observer_role_cannot_patch(client, twin):
    from .conftest import rax_for
    twin.store.accounts["default"].settings["rackspace"] = {"roles": ["cloudImages:observer"]}
    observer = rax_for(client)
    assert observer.get(f"/v2/images/{WEB_GOLDEN}").status_code == 200
    refused = observer.patch_json(WEB_GOLDEN, [{"op": "replace", "path": "/name", "value": "x"}])
    assert refused.status_code == 403
    assert observer.post(f"/v2/images/{WEB_GOLDEN}/members", json={"member": "100003"}).status_code == 403
    task = observer.post("/v2/tasks", json={"type": "import", "input": {"import_from": "images/x.vhd"}})
    assert task.status_code == 403 and "complete add_task action" in task.get_json()["message"]
    twin.store.accounts["default"].settings["rackspace"] = {"roles": ["cloudImages:creator"]}
    creator = rax_for(client)
    assert creator.post(f"/v2/images/{WEB_GOLDEN}/members", json={"member": "100003"}).status_code == 200
    assert creator.delete(f"/v2/images/{WEB_GOLDEN}").status_code == 403


def test_formats_can_change_while_an_image_is_queued(rax):
    queued = rax.action("create_snapshot_image", account="default", name="fresh")
    reply = rax.patch_json(queued["id"], [{"op": "replace", "path": "/disk_format", "value": "raw"},
                                          {"op": "replace", "path": "/container_format", "value": "bare"}])
    assert reply.status_code == 200
    assert (reply.get_json()["disk_format"], reply.get_json()["container_format"]) == ("raw", "bare")
