"""Instances: create rules, shape, update, delete, actions, lifecycles, isolation."""

from __future__ import annotations

import ipaddress

import pytest

from twinhelp import (
    AMS, BASE, CPU, DEBIAN_12, GAUDI, H100, HAF, RTX3090, INSTANCE_CREATING, INSTANCE_DELETING, INSTANCE_RESETTING,
    INSTANCE_STARTING, INSTANCE_STOPPING, MUC, NORD, RTX3080, UBUNTU_22, UBUNTU_24, UBUNTU_ML, WINDOWS, advance,
    create_floating_ip, create_instance, create_security_group, create_ssh_key, create_volume, expect_empty_204,
    expect_error, get, instance_body,
)

INSTANCE_FIELDS = {"id", "name", "hostname", "dns_name", "type", "os_type", "public_ip", "private_ip", "status",
                   "ssh_keys", "image", "floating_ip", "security_groups", "volumes", "region", "placement_option",
                   "disk_size", "reservation_id", "is_protected", "billing_type", "created_at", "updated_at"}


def _active(gc, **overrides):  # type: ignore[no-untyped-def]
    instance = create_instance(gc, **overrides)
    advance(gc, INSTANCE_CREATING)
    return get(gc, f"/instances/{instance['id']}", "instance")


def _status(gc, instance_id):  # type: ignore[no-untyped-def]
    return get(gc, f"/instances/{instance_id}", "instance")["status"]


# Create ------------------------------------------------------------------------------------
def test_create_answers_201_wrapped_in_creating_with_every_field(gc, twin):
    resp = gc.post("/instances", json=instance_body(name="web", hostname="web"))
    assert resp.status_code == 201
    assert resp.headers["Content-Type"] == "application/json"
    body = resp.get_json()
    assert set(body) == {"instance"}
    inst = body["instance"]
    assert set(inst) == INSTANCE_FIELDS
    assert inst["status"] == "creating"
    assert inst["public_ip"] is None and inst["private_ip"] is None
    assert inst["name"] == "web" and inst["hostname"] == "web" and inst["region"] == NORD and inst["type"] == CPU
    assert inst["image"] == {"id": UBUNTU_22, "name": "Ubuntu 22.04"}
    assert inst["os_type"] == "linux"
    assert inst["disk_size"] == 80 and inst["is_protected"] is False and inst["billing_type"] == "on-demand"
    assert inst["placement_option"] == "AUTO" and inst["reservation_id"] is None and inst["floating_ip"] is None
    assert inst["volumes"] == [] and inst["ssh_keys"] == []
    assert inst["dns_name"].startswith("web-" + inst["id"][:8])
    assert inst["created_at"] == inst["updated_at"] and inst["created_at"].endswith("Z")
    # ids are lower-case hyphenated UUIDs
    assert len(inst["id"]) == 36 and inst["id"] == inst["id"].lower() and inst["id"].count("-") == 4


def test_get_and_list_show_the_created_instance(gc):
    inst = create_instance(gc)
    assert get(gc, f"/instances/{inst['id']}") == {"instance": inst}
    listing = get(gc, "/instances")
    assert listing["instances"] == [inst]
    assert listing["total_count"] == 1 and listing["page"] == 1 and listing["per_page"] == 50


def test_without_security_groups_the_regions_standard_group_is_attached(gc):
    groups = get(gc, "/security-groups", "security_groups")
    standard = next(g for g in groups if g["region"] == MUC and g["name"] == "standard")
    inst = create_instance(gc, region=MUC)
    assert inst["security_groups"] == [{"id": standard["id"], "name": "standard"}]


@pytest.mark.parametrize("reference", [UBUNTU_24, "ubuntu-24.04", "ubuntu-24.04:20240702-1796"])
def test_image_by_id_slug_or_slug_version(gc, reference):
    inst = create_instance(gc, image=reference)
    assert inst["image"] == {"id": UBUNTU_24, "name": "Ubuntu 24.04"}


def test_unknown_image_or_version_is_refused(gc):
    expect_error(gc.post("/instances", json=instance_body(image="no-such-image")), 400, "02048")
    expect_error(gc.post("/instances", json=instance_body(image="ubuntu-24.04:19990101")), 400, "02048")


def test_windows_image_sets_os_type(gc):
    assert create_instance(gc, image=WINDOWS)["os_type"] == "windows"


@pytest.mark.parametrize("image,instance_type,region", [
    ("ubuntu-ml-nvidia-pytorch", CPU, NORD),      # an nvidia image on a CPU type
    ("ubuntu-ml-nvidia-pytorch", GAUDI, MUC),     # an nvidia image on Gaudi
    ("debian-12", GAUDI, MUC),                    # Debian has no Gaudi build
    ("stable-diffusion-webui", CPU, NORD),
])
def test_image_that_cannot_run_on_the_type_answers_02035(gc, image, instance_type, region):
    body = expect_error(gc.post("/instances", json=instance_body(image=image, type=instance_type, region=region)),
                        400, "02035")
    assert body["message"] == "the selected image cannot be run on this instance"
    assert get(gc, "/instances")["total_count"] == 0


def test_compatible_gpu_image_is_accepted(gc):
    inst = create_instance(gc, image=UBUNTU_ML, type=RTX3080)
    assert inst["image"]["id"] == UBUNTU_ML


@pytest.mark.parametrize("image,region,itype", [(WINDOWS, MUC, CPU), (DEBIAN_12, AMS, H100), ("stable-diffusion-webui", MUC, RTX3090)])
def test_image_not_offered_in_the_region_answers_region_mismatch(gc, image, region, itype):
    expect_error(gc.post("/instances", json=instance_body(image=image, region=region, type=itype)), 400, "02036")


def test_type_not_offered_in_region_answers_02045(gc):
    expect_error(gc.post("/instances", json=instance_body(type=GAUDI, region=NORD, image="ubuntu-24.04")), 400, "02045")


def test_unknown_type_is_a_validation_error(gc):
    expect_error(gc.post("/instances", json=instance_body(type="vcpu-1_memory-1g")), 400, "02002")


def test_legacy_only_region_is_refused_to_current_accounts_and_allowed_to_legacy(gc, legacy):
    body = instance_body(type=RTX3080, region=HAF)
    expect_error(gc.post("/instances", json=body), 400, "02045")
    resp = legacy.post("/instances", json=body)
    assert resp.status_code == 201 and resp.get_json()["instance"]["region"] == HAF


def test_ssh_keys_and_password_exclude_each_other(gc):
    key = create_ssh_key(gc)
    body = expect_error(gc.post("/instances", json=instance_body(ssh_keys=[key["id"]], password="Secr3tPassw0rd")),
                        400, "02046")
    assert "password" in body["message"]
    assert get(gc, "/instances")["total_count"] == 0


def test_password_alone_and_ssh_keys_alone_are_accepted(gc):
    key = create_ssh_key(gc)
    assert create_instance(gc, password="Secr3tPassw0rd")["ssh_keys"] == []
    assert create_instance(gc, ssh_keys=[key["id"]])["ssh_keys"] == [{"id": key["id"], "name": key["name"]}]


@pytest.mark.parametrize("password", ["short1A", "alllowercase1", "ALLUPPERCASE1", "NoDigitsHere", "A1" + "a" * 71])
def test_weak_or_overlong_password_is_refused(gc, password):
    expect_error(gc.post("/instances", json=instance_body(password=password)), 400, "02002")


@pytest.mark.parametrize("hostname", ["-bad", "bad-", "has space", "x" * 64, ""])
def test_invalid_hostname_is_refused(gc, hostname):
    expect_error(gc.post("/instances", json=instance_body(hostname=hostname)), 400, "02002")


@pytest.mark.parametrize("missing", ["name", "hostname", "type", "image", "region"])
def test_required_fields(gc, missing):
    body = instance_body()
    del body[missing]
    message = expect_error(gc.post("/instances", json=body), 400, "02002")["message"]
    assert missing in message


def test_disk_size_below_80_is_refused(gc):
    expect_error(gc.post("/instances", json=instance_body(disk_size=79)), 400, "02002")
    assert create_instance(gc, disk_size=120)["disk_size"] == 120


def test_startup_script_over_64_kib_is_refused(gc):
    body = instance_body(metadata={"startup_script": "x" * 65537})
    expect_error(gc.post("/instances", json=body), 400, "02002")


def test_unknown_references_are_refused(gc):
    expect_error(gc.post("/instances", json=instance_body(ssh_keys=["nope"])), 400, "02048")
    expect_error(gc.post("/instances", json=instance_body(security_groups=["nope"])), 400, "02048")
    expect_error(gc.post("/instances", json=instance_body(volumes=["nope"])), 400, "02048")
    expect_error(gc.post("/instances", json=instance_body(floating_ip="nope")), 400, "02048")


def test_security_group_in_another_region_is_refused(gc):
    group = create_security_group(gc, region=MUC)
    advance(gc, 2)
    expect_error(gc.post("/instances", json=instance_body(security_groups=[group["id"]])), 400, "02036")


def test_explicit_security_groups_replace_the_standard_group(gc, twin):
    group = create_security_group(gc)
    inst = create_instance(gc, security_groups=[group["id"], group["id"]])  # duplicates collapse
    assert inst["security_groups"] == [{"id": group["id"], "name": "web"}]


def test_refused_create_leaves_no_trace(gc, twin):
    """A refusal after several checks changes nothing: no row, no stock, no quota, no id drawn."""
    before = get(gc, f"/availability/{NORD}/instances", "availability")
    vol = create_volume(gc)
    advance(gc, 10)
    group = create_security_group(gc)
    # everything valid except the password conflict, checked after the image and type
    key = create_ssh_key(gc)
    body = instance_body(ssh_keys=[key["id"]], password="Secr3tPassw0rd", volumes=[vol["id"]],
                         security_groups=[group["id"]])
    expect_error(gc.post("/instances", json=body), 400, "02046")
    assert get(gc, "/instances")["total_count"] == 0
    assert get(gc, f"/volumes/{vol['id']}", "volume")["instances"] == []
    assert get(gc, f"/availability/{NORD}/instances", "availability") == before
    quotas = {q["key"]: q for q in get(gc, "/quotas", "quotas")}
    assert quotas["cpu-instances"]["used"] == 0


def test_refused_create_does_not_consume_an_id(gc):
    """Two twins with the same seed: one sees a refused create first; their next ids agree."""
    from cloudtwin.app import build_twin, create_app
    from twinhelp import DEFAULT_TOKEN

    fresh = build_twin(["genesis"], seed=7)  # genesis draws from its own streams
    fresh.clock.freeze()
    fresh_client = create_app(fresh).test_client()
    headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    expect_error(gc.post("/instances", json=instance_body(image="ubuntu-ml-nvidia-pytorch")), 400, "02035")
    mine = create_instance(gc)
    resp = fresh_client.post(BASE + "/instances", json=instance_body(), headers=headers)
    assert resp.get_json()["instance"]["id"] == mine["id"]


# Lifecycle ---------------------------------------------------------------------------------
def test_creating_becomes_active_after_60s_with_ips_from_the_region(gc, twin):
    inst = create_instance(gc)
    advance(gc, INSTANCE_CREATING - 1)
    assert get(gc, f"/instances/{inst['id']}", "instance")["status"] == "creating"
    advance(gc, 1)
    active = get(gc, f"/instances/{inst['id']}", "instance")
    assert active["status"] == "active"
    assert ipaddress.ip_address(active["public_ip"]) in ipaddress.ip_network("198.51.100.0/24")
    assert ipaddress.ip_address(active["private_ip"]) in ipaddress.ip_network("10.0.0.0/16")
    assert active["updated_at"] > inst["updated_at"]


def test_public_ip_is_drawn_from_the_instances_region(gc):
    inst = create_instance(gc, region=MUC)
    advance(gc, INSTANCE_CREATING)
    ip = get(gc, f"/instances/{inst['id']}", "instance")["public_ip"]
    assert ipaddress.ip_address(ip) in ipaddress.ip_network("203.0.113.0/25")


def test_active_instances_get_distinct_public_ips(gc):
    """Twenty instances in one /24 must not share a public address."""
    ids = [create_instance(gc, name=f"n{i}", hostname=f"n{i}")["id"] for i in range(20)]
    advance(gc, INSTANCE_CREATING)
    instances = [get(gc, f"/instances/{i}", "instance") for i in ids]
    public = [i["public_ip"] for i in instances]
    private = [i["private_ip"] for i in instances]
    assert None not in public
    assert len(set(public)) == len(public), sorted(public)
    assert len(set(private)) == len(private)


def test_stop_start_reset_cycle(gc):
    inst = _active(gc)
    iid = inst["id"]
    ip = inst["public_ip"]
    assert get(gc, f"/instances/{iid}/actions") == {"actions": ["stop", "reset"]}

    expect_empty_204(gc.post(f"/instances/{iid}/actions", json={"action": "stop"}))
    assert _status(gc, iid) == "stopping"
    assert get(gc, f"/instances/{iid}/actions") == {"actions": []}
    advance(gc, INSTANCE_STOPPING)
    assert _status(gc, iid) == "stopped"
    assert get(gc, f"/instances/{iid}/actions") == {"actions": ["start"]}

    expect_empty_204(gc.post(f"/instances/{iid}/actions", json={"action": "start"}))
    assert _status(gc, iid) == "starting"
    advance(gc, INSTANCE_STARTING - 1)
    assert _status(gc, iid) == "starting"
    advance(gc, 1)
    assert _status(gc, iid) == "active"

    expect_empty_204(gc.post(f"/instances/{iid}/actions", json={"action": "reset"}))
    assert _status(gc, iid) == "resetting"
    advance(gc, INSTANCE_RESETTING)
    after = get(gc, f"/instances/{iid}", "instance")
    assert after["status"] == "active" and after["public_ip"] == ip  # the address survives a reset


@pytest.mark.parametrize("action", ["start", "stop", "reset"])
def test_no_action_while_creating(gc, action):
    inst = create_instance(gc)
    assert get(gc, f"/instances/{inst['id']}/actions") == {"actions": []}
    expect_error(gc.post(f"/instances/{inst['id']}/actions", json={"action": action}), 409, "02037")
    assert _status(gc, inst["id"]) == "creating"


def test_start_while_active_and_stop_or_reset_while_stopped_are_refused(gc):
    iid = _active(gc)["id"]
    expect_error(gc.post(f"/instances/{iid}/actions", json={"action": "start"}), 409, "02037")
    gc.post(f"/instances/{iid}/actions", json={"action": "stop"})
    advance(gc, INSTANCE_STOPPING)
    expect_error(gc.post(f"/instances/{iid}/actions", json={"action": "stop"}), 409, "02037")
    expect_error(gc.post(f"/instances/{iid}/actions", json={"action": "reset"}), 409, "02037")
    assert _status(gc, iid) == "stopped"


def test_actions_in_error_state(gc, twin):
    iid = _active(gc)["id"]
    twin.store.table("genesis", "instance").get(iid).data["status"] = "error"
    assert get(gc, f"/instances/{iid}/actions") == {"actions": ["start", "stop"]}
    expect_error(gc.post(f"/instances/{iid}/actions", json={"action": "reset"}), 409, "02037")
    expect_empty_204(gc.post(f"/instances/{iid}/actions", json={"action": "start"}))
    assert _status(gc, iid) == "starting"


def test_unknown_action_is_a_validation_error(gc):
    iid = _active(gc)["id"]
    expect_error(gc.post(f"/instances/{iid}/actions", json={"action": "reboot"}), 400, "02002")
    expect_error(gc.post(f"/instances/{iid}/actions", json={}), 400, "02002")


def test_destroy_on_shutdown_deletes_the_instance_when_it_stops(gc):
    iid = _active(gc, destroy_on_shutdown=True)["id"]
    gc.post(f"/instances/{iid}/actions", json={"action": "stop"})
    advance(gc, INSTANCE_STOPPING)
    assert _status(gc, iid) == "deleting"
    advance(gc, INSTANCE_DELETING)
    expect_error(gc.get(f"/instances/{iid}"), 404, "02006")


def test_without_destroy_on_shutdown_a_stopped_instance_stays(gc):
    iid = _active(gc)["id"]
    gc.post(f"/instances/{iid}/actions", json={"action": "stop"})
    advance(gc, 86400)
    assert _status(gc, iid) == "stopped"


# Delete ------------------------------------------------------------------------------------
def test_delete_shows_deleting_then_404_with_json_error(gc):
    iid = _active(gc)["id"]
    expect_empty_204(gc.delete(f"/instances/{iid}"))
    assert _status(gc, iid) == "deleting"
    assert get(gc, f"/instances/{iid}/actions") == {"actions": []}
    advance(gc, INSTANCE_DELETING - 1)
    assert _status(gc, iid) == "deleting"
    advance(gc, 1)
    body = expect_error(gc.get(f"/instances/{iid}"), 404, "02006")
    assert "instance" in body["message"]
    assert get(gc, "/instances")["total_count"] == 0
    expect_error(gc.delete(f"/instances/{iid}"), 404, "02006")


def test_delete_while_creating_is_allowed(gc):
    inst = create_instance(gc)
    expect_empty_204(gc.delete(f"/instances/{inst['id']}"))
    advance(gc, INSTANCE_CREATING + INSTANCE_DELETING)  # the stale `creating` event must not resurrect it
    expect_error(gc.get(f"/instances/{inst['id']}"), 404, "02006")


def test_second_delete_while_deleting_is_refused(gc):
    iid = create_instance(gc)["id"]
    gc.delete(f"/instances/{iid}")
    expect_error(gc.delete(f"/instances/{iid}"), 409, "02037")


def test_protected_instance_cannot_be_deleted_until_unprotected(gc):
    iid = create_instance(gc, is_protected=True)["id"]
    body = expect_error(gc.delete(f"/instances/{iid}"), 409, "02038")
    assert "protected" in body["message"]
    assert _status(gc, iid) == "creating"
    resp = gc.patch(f"/instances/{iid}", json={"is_protected": False})
    assert resp.status_code == 200 and resp.get_json()["instance"]["is_protected"] is False
    expect_empty_204(gc.delete(f"/instances/{iid}"))


def test_protecting_through_update_blocks_delete(gc):
    iid = create_instance(gc)["id"]
    gc.patch(f"/instances/{iid}", json={"is_protected": True})
    expect_error(gc.delete(f"/instances/{iid}"), 409, "02038")


def test_removal_releases_volumes_floating_ip_security_groups_and_stock(gc):
    vol = create_volume(gc)
    fip = create_floating_ip(gc)
    group = create_security_group(gc)
    advance(gc, 10)
    before = {t["type"]: t["count"] for t in get(gc, f"/availability/{NORD}/instances", "availability")["instance_types"]}
    iid = create_instance(gc, volumes=[vol["id"]], floating_ip=fip["id"], security_groups=[group["id"]])["id"]
    during = {t["type"]: t["count"] for t in get(gc, f"/availability/{NORD}/instances", "availability")["instance_types"]}
    assert during[CPU] == before[CPU] - 1
    expect_error(gc.delete(f"/volumes/{vol['id']}"), 409, "02043")
    expect_error(gc.delete(f"/floating-ips/{fip['id']}"), 409, "02043")
    expect_error(gc.delete(f"/security-groups/{group['id']}"), 409, "02043")
    gc.delete(f"/instances/{iid}")
    advance(gc, INSTANCE_DELETING)
    assert get(gc, f"/volumes/{vol['id']}", "volume")["instances"] == []
    assert get(gc, f"/floating-ips/{fip['id']}", "floating_ip")["instance"] is None
    after = {t["type"]: t["count"] for t in get(gc, f"/availability/{NORD}/instances", "availability")["instance_types"]}
    assert after == before
    expect_empty_204(gc.delete(f"/volumes/{vol['id']}"))
    expect_empty_204(gc.delete(f"/floating-ips/{fip['id']}"))
    expect_empty_204(gc.delete(f"/security-groups/{group['id']}"))


# Update ------------------------------------------------------------------------------------
def test_update_renames_and_grows_disk(gc, twin):
    inst = create_instance(gc)
    advance(gc, 5)
    resp = gc.patch(f"/instances/{inst['id']}", json={"name": "renamed", "disk_size": 200, "reservation_id": "r-1"})
    assert resp.status_code == 200
    updated = resp.get_json()["instance"]
    assert updated["name"] == "renamed" and updated["disk_size"] == 200 and updated["reservation_id"] == "r-1"
    assert updated["updated_at"] > inst["updated_at"]
    assert get(gc, f"/instances/{inst['id']}", "instance") == updated


def test_disk_size_only_grows(gc):
    iid = create_instance(gc, disk_size=100)["id"]
    expect_error(gc.patch(f"/instances/{iid}", json={"disk_size": 90}), 400, "02042")
    assert get(gc, f"/instances/{iid}", "instance")["disk_size"] == 100


def test_refused_update_changes_nothing(gc):
    iid = create_instance(gc, disk_size=100)["id"]
    expect_error(gc.patch(f"/instances/{iid}", json={"name": "new", "volumes": ["nope"]}), 400, "02048")
    assert get(gc, f"/instances/{iid}", "instance")["name"] == "web-1"


def test_update_while_deleting_is_refused(gc):
    iid = create_instance(gc)["id"]
    gc.delete(f"/instances/{iid}")
    expect_error(gc.patch(f"/instances/{iid}", json={"name": "x"}), 409, "02037")


def test_volume_attach_and_detach_update_both_sides(gc):
    iid = _active(gc)["id"]
    vol = create_volume(gc)
    advance(gc, 10)
    resp = gc.patch(f"/instances/{iid}", json={"volumes": {"attach": vol["id"]}})
    assert resp.status_code == 200
    assert resp.get_json()["instance"]["volumes"] == [{"id": vol["id"], "name": "data"}]
    assert get(gc, f"/volumes/{vol['id']}", "volume")["instances"] == [{"id": iid, "name": "web-1"}]
    # attaching again is idempotent
    again = gc.patch(f"/instances/{iid}", json={"volumes": {"attach": vol["id"]}}).get_json()["instance"]
    assert again["volumes"] == [{"id": vol["id"], "name": "data"}]
    # detach
    detached = gc.patch(f"/instances/{iid}", json={"volumes": {"detach": vol["id"]}}).get_json()["instance"]
    assert detached["volumes"] == []
    assert get(gc, f"/volumes/{vol['id']}", "volume")["instances"] == []
    # detaching again is a no-op, an unknown id is an error
    assert gc.patch(f"/instances/{iid}", json={"volumes": {"detach": vol["id"]}}).status_code == 200
    expect_error(gc.patch(f"/instances/{iid}", json={"volumes": {"detach": "nope"}}), 400, "02048")


def test_volume_full_list_replaces_attachments(gc):
    iid = create_instance(gc)["id"]
    a, b, c = (create_volume(gc, name=n) for n in "abc")
    advance(gc, 10)
    gc.patch(f"/instances/{iid}", json={"volumes": [a["id"], b["id"]]})
    inst = gc.patch(f"/instances/{iid}", json={"volumes": [b["id"], c["id"]]}).get_json()["instance"]
    assert [v["id"] for v in inst["volumes"]] == [b["id"], c["id"]]
    assert get(gc, f"/volumes/{a['id']}", "volume")["instances"] == []
    assert get(gc, f"/volumes/{c['id']}", "volume")["instances"] == [{"id": iid, "name": "web-1"}]


def test_volume_on_create_is_attached_both_sides(gc):
    vol = create_volume(gc)
    advance(gc, 10)
    inst = create_instance(gc, volumes=[vol["id"]])
    assert inst["volumes"] == [{"id": vol["id"], "name": "data"}]
    assert get(gc, f"/volumes/{vol['id']}", "volume")["instances"] == [{"id": inst["id"], "name": "web-1"}]


def test_volume_rules_on_attach(gc):
    first = create_instance(gc)["id"]
    second = create_instance(gc, name="b", hostname="b")["id"]
    creating = create_volume(gc, name="creating")
    expect_error(gc.patch(f"/instances/{first}", json={"volumes": {"attach": creating["id"]}}), 409, "02037")
    advance(gc, 10)
    elsewhere = create_volume(gc, name="muc", region=MUC)
    advance(gc, 10)
    expect_error(gc.patch(f"/instances/{first}", json={"volumes": {"attach": elsewhere["id"]}}), 400, "02036")
    gc.patch(f"/instances/{first}", json={"volumes": {"attach": creating["id"]}})
    expect_error(gc.patch(f"/instances/{second}", json={"volumes": {"attach": creating["id"]}}), 409, "02043")
    expect_error(gc.post("/instances", json=instance_body(volumes=[creating["id"]])), 409, "02043")


def test_security_group_attach_detach_and_full_list(gc):
    iid = create_instance(gc)["id"]
    standard = get(gc, f"/instances/{iid}", "instance")["security_groups"][0]
    web = create_security_group(gc)
    db = create_security_group(gc, name="db")
    inst = gc.patch(f"/instances/{iid}", json={"security_groups": {"attach": web["id"]}}).get_json()["instance"]
    assert [g["id"] for g in inst["security_groups"]] == [standard["id"], web["id"]]
    expect_error(gc.delete(f"/security-groups/{web['id']}"), 409, "02043")
    inst = gc.patch(f"/instances/{iid}", json={"security_groups": {"detach": web["id"]}}).get_json()["instance"]
    assert [g["id"] for g in inst["security_groups"]] == [standard["id"]]
    inst = gc.patch(f"/instances/{iid}", json={"security_groups": [db["id"]]}).get_json()["instance"]
    assert inst["security_groups"] == [{"id": db["id"], "name": "db"}]
    advance(gc, 2)
    expect_empty_204(gc.delete(f"/security-groups/{web['id']}"))  # no longer attached
    expect_error(gc.delete(f"/security-groups/{db['id']}"), 409, "02043")


def test_security_group_of_another_region_cannot_be_attached(gc):
    iid = create_instance(gc)["id"]
    group = create_security_group(gc, region=MUC)
    expect_error(gc.patch(f"/instances/{iid}", json={"security_groups": {"attach": group["id"]}}), 400, "02036")


def test_attach_detach_body_must_be_exactly_one_form(gc):
    iid = create_instance(gc)["id"]
    expect_error(gc.patch(f"/instances/{iid}", json={"volumes": {"attach": "a", "detach": "b"}}), 400, "02002")
    expect_error(gc.patch(f"/instances/{iid}", json={"volumes": {"swap": "a"}}), 400, "02002")


# Floating IP and metadata ----------------------------------------------------------------
def test_floating_ip_assigned_on_create_both_sides(gc, other):
    fip = create_floating_ip(gc)
    inst = create_instance(gc, floating_ip=fip["id"])
    assert inst["floating_ip"] == {"id": fip["id"], "name": "ip-1"}
    assert get(gc, f"/floating-ips/{fip['id']}", "floating_ip")["instance"] == {"id": inst["id"], "name": "web-1"}
    expect_error(gc.post("/instances", json=instance_body(floating_ip=fip["id"])), 409, "02043")
    muc = create_floating_ip(gc, region=MUC, name="muc")
    expect_error(gc.post("/instances", json=instance_body(floating_ip=muc["id"])), 400, "02036")


def test_user_metadata_returns_what_was_given(gc):
    metadata = {"startup_script": "#!/bin/sh\necho hi", "user_data": [{"type": "text/cloud-config", "content": "x"}]}
    iid = create_instance(gc, metadata=metadata)["id"]
    assert get(gc, f"/instances/{iid}/user-metadata") == metadata
    plain = create_instance(gc, name="p", hostname="p")["id"]
    assert get(gc, f"/instances/{plain}/user-metadata") == {}
    expect_error(gc.get("/instances/nope/user-metadata"), 404, "02006")


# Quota and stock ---------------------------------------------------------------------------
def test_gpu_quota_is_enforced(gc):
    create_instance(gc, type=GAUDI, region=MUC, image="ubuntu-24.04")
    create_instance(gc, type=GAUDI, region=MUC, image="ubuntu-24.04", name="b", hostname="b")
    body = expect_error(gc.post("/instances", json=instance_body(type=GAUDI, region=MUC, image="ubuntu-24.04")),
                        403, "02039")
    assert "intel-gaudi2" in body["message"]


def test_deleting_instances_do_not_count_against_quota(gc):
    """fixtures/genesis/quotas.yaml: quotas count instances that are not deleting."""
    iid = create_instance(gc, type=H100, image="ubuntu-24.04")["id"]  # 8 GPUs: the whole quota
    expect_error(gc.post("/instances", json=instance_body(type=H100, image="ubuntu-24.04")), 403, "02039")
    gc.delete(f"/instances/{iid}")
    assert _status(gc, iid) == "deleting"
    quotas = {q["key"]: q for q in get(gc, "/quotas", "quotas")}
    assert quotas["nvidia-h100-sxm5"]["used"] == 0
    resp = gc.post("/instances", json=instance_body(type=H100, image="ubuntu-24.04"))
    assert resp.status_code == 201, resp.get_data(as_text=True)


def _quota_used(gc):  # type: ignore[no-untyped-def]
    return {q["key"]: q["used"] for q in get(gc, "/quotas", "quotas")}


def test_quota_use_follows_every_way_an_instance_starts_deleting(gc):
    """The use is a running total: a stop with destroy_on_shutdown frees it as a delete does,
    and the end of the deletion does not free it twice."""
    shut = _active(gc, type=H100, image="ubuntu-24.04", destroy_on_shutdown=True)["id"]
    assert _quota_used(gc)["nvidia-h100-sxm5"] == 8
    gc.post(f"/instances/{shut}/actions", json={"action": "stop"})
    advance(gc, INSTANCE_STOPPING)
    assert _status(gc, shut) == "deleting" and _quota_used(gc)["nvidia-h100-sxm5"] == 0
    advance(gc, INSTANCE_DELETING)
    deleted = create_instance(gc, type=H100, image="ubuntu-24.04")["id"]
    assert _quota_used(gc)["nvidia-h100-sxm5"] == 8
    gc.delete(f"/instances/{deleted}")
    advance(gc, INSTANCE_DELETING)
    assert _quota_used(gc)["nvidia-h100-sxm5"] == 0


def test_quota_use_of_a_state_saved_without_the_total_is_counted_once(gc, twin):
    create_instance(gc, type=GAUDI, region=MUC, image="ubuntu-24.04")
    gone = create_instance(gc, type=GAUDI, region=MUC, image="ubuntu-24.04", name="b", hostname="b")["id"]
    gc.delete(f"/instances/{gone}")
    state = twin.export_state()
    kept = [row for row in state["store"]["tables"]["genesis"]["usage"] if not row[0].endswith("/instances")]
    state["store"]["tables"]["genesis"]["usage"] = kept  # as a state file from before the total existed
    for row in state["store"]["tables"]["genesis"]["instance"]:
        row[4].pop("quota_counted", None)
    twin.import_state(state)
    assert _quota_used(gc)["intel-gaudi2"] == 1
    create_instance(gc, type=GAUDI, region=MUC, image="ubuntu-24.04", name="c", hostname="c")
    expect_error(gc.post("/instances", json=instance_body(type=GAUDI, region=MUC, image="ubuntu-24.04")), 403, "02039")


def test_cpu_instance_quota(gc, twin):
    for i in range(20):
        create_instance(gc, name=f"c{i}", hostname=f"c{i}")
    expect_error(gc.post("/instances", json=instance_body()), 403, "02039")


def test_stock_is_shared_between_accounts(gc, other):
    create_instance(gc, type=H100, region="NA-CA-MNZ-1", image="ubuntu-24.04")
    body = expect_error(other.post("/instances", json=instance_body(type=H100, region="NA-CA-MNZ-1",
                                                                     image="ubuntu-24.04")), 400, "02045")
    assert "stock" in body["message"]


# Isolation ---------------------------------------------------------------------------------
def test_other_account_cannot_see_or_touch_the_instance(gc, other):
    iid = create_instance(gc)["id"]
    expect_error(other.get(f"/instances/{iid}"), 404, "02006")
    expect_error(other.patch(f"/instances/{iid}", json={"name": "x"}), 404, "02006")
    expect_error(other.delete(f"/instances/{iid}"), 404, "02006")
    expect_error(other.get(f"/instances/{iid}/actions"), 404, "02006")
    expect_error(other.post(f"/instances/{iid}/actions", json={"action": "stop"}), 404, "02006")
    expect_error(other.get(f"/instances/{iid}/snapshots"), 404, "02006")
    expect_error(other.post(f"/instances/{iid}/snapshots", json={"name": "s"}), 404, "02006")
    expect_error(other.get(f"/instances/{iid}/user-metadata"), 404, "02006")
    assert get(other, "/instances")["total_count"] == 0
    assert _status(gc, iid) == "creating"


def test_other_accounts_resources_cannot_be_referenced(gc, other):
    vol = create_volume(gc)
    key = create_ssh_key(gc)
    group = create_security_group(gc)
    fip = create_floating_ip(gc)
    advance(gc, 10)
    for field, value in (("volumes", [vol["id"]]), ("ssh_keys", [key["id"]]), ("security_groups", [group["id"]]),
                         ("floating_ip", fip["id"])):
        expect_error(other.post("/instances", json=instance_body(**{field: value})), 400, "02048")
    iid = create_instance(other)["id"]
    expect_error(other.patch(f"/instances/{iid}", json={"volumes": {"attach": vol["id"]}}), 400, "02048")
    assert get(gc, f"/volumes/{vol['id']}", "volume")["instances"] == []


def test_unknown_instance_is_404_everywhere(gc):
    for call in (gc.get("/instances/nope"), gc.patch("/instances/nope", json={}), gc.delete("/instances/nope"),
                 gc.get("/instances/nope/actions"), gc.post("/instances/nope/actions", json={"action": "stop"})):
        expect_error(call, 404, "02006")


def test_renames_show_on_both_sides_of_a_reference(gc):
    """The {id, name} references an instance and its volumes, floating IP, groups and keys hold stay current."""
    vol = create_volume(gc)
    fip = create_floating_ip(gc)
    group = create_security_group(gc)
    key = create_ssh_key(gc)
    advance(gc, 10)
    iid = create_instance(gc, volumes=[vol["id"]], floating_ip=fip["id"], security_groups=[group["id"]],
                          ssh_keys=[key["id"]])["id"]
    gc.patch(f"/instances/{iid}", json={"name": "renamed-instance"})
    gc.patch(f"/volumes/{vol['id']}", json={"name": "renamed-volume"})
    gc.patch(f"/floating-ips/{fip['id']}", json={"name": "renamed-ip"})
    gc.patch(f"/security-groups/{group['id']}", json={"name": "renamed-group"})
    gc.patch(f"/ssh-keys/{key['id']}", json={"name": "renamed-key"})
    inst = get(gc, f"/instances/{iid}", "instance")
    assert inst["volumes"] == [{"id": vol["id"], "name": "renamed-volume"}]
    assert inst["floating_ip"] == {"id": fip["id"], "name": "renamed-ip"}
    assert inst["security_groups"] == [{"id": group["id"], "name": "renamed-group"}]
    assert inst["ssh_keys"] == [{"id": key["id"], "name": "renamed-key"}]
    assert get(gc, f"/volumes/{vol['id']}", "volume")["instances"] == [{"id": iid, "name": "renamed-instance"}]
    assert get(gc, f"/floating-ips/{fip['id']}", "floating_ip")["instance"] == {"id": iid, "name": "renamed-instance"}


def test_repeated_ids_on_create_are_attached_once(gc):
    vol = create_volume(gc)
    key = create_ssh_key(gc)
    advance(gc, 10)
    inst = create_instance(gc, volumes=[vol["id"], vol["id"]], ssh_keys=[key["id"], key["id"]])
    assert inst["volumes"] == [{"id": vol["id"], "name": "data"}]
    assert inst["ssh_keys"] == [{"id": key["id"], "name": "laptop"}]
    assert get(gc, f"/volumes/{vol['id']}", "volume")["instances"] == [{"id": inst["id"], "name": "web-1"}]
    detached = gc.patch(f"/instances/{inst['id']}", json={"volumes": []}).get_json()["instance"]
    assert detached["volumes"] == []
