"""Firewalls: regional, CREATING -> SUCCESS, rules, attach (replace semantics) and delete rules."""

from __future__ import annotations

from .helpers import ATTACHING, FIREWALL_CREATING, STOPPING, Barrack, expect_error

HTTPS = {"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "remote_ip_prefix": "0.0.0.0/0",
         "port_range_min": 443, "port_range_max": 443}


def _firewall(bk: Barrack, name: str = "web", region: str = "FINLAND-1") -> dict:
    created = bk.ok(bk.post("/firewalls/", json={"name": name, "region": region, "description": "edge"}), 201)
    return created["firewall"]


def test_firewall_rules_need_a_ready_firewall(bk: Barrack) -> None:
    fw = _firewall(bk)
    assert fw["status"] == "CREATING"
    expect_error(bk.post(f"/firewalls/{fw['id']}/rules/", json=HTTPS), 409, "invalid_state")
    bk.advance(FIREWALL_CREATING)
    rule = bk.ok(bk.post(f"/firewalls/{fw['id']}/rules/", json=HTTPS), 201)["rule"]
    expect_error(bk.post(f"/firewalls/{fw['id']}/rules/", json=HTTPS), 409, "conflict")
    expect_error(bk.post(f"/firewalls/{fw['id']}/rules/", json={**HTTPS, "port_range_min": 444}), 400, "invalid")
    expect_error(bk.post(f"/firewalls/{fw['id']}/rules/", json={**HTTPS, "remote_ip_prefix": "300.0.0.0/8"}), 400)
    detail = bk.ok(bk.get(f"/firewalls/{fw['id']}/"))["firewall"]
    assert detail["status"] == "SUCCESS" and detail["rules_count"] == 1 and detail["rules"][0]["id"] == rule["id"]
    bk.ok(bk.delete(f"/firewalls/{fw['id']}/rules/{rule['id']}/"))
    expect_error(bk.delete(f"/firewalls/{fw['id']}/rules/{rule['id']}/"), 404)


def test_names_unique_and_25_per_account(bk: Barrack) -> None:
    _firewall(bk, "fw 0")
    expect_error(bk.post("/firewalls/", json={"name": "fw 0", "region": "FINLAND-2"}), 409, "name_taken")
    for n in range(1, 25):
        _firewall(bk, f"fw {n}")
    expect_error(bk.post("/firewalls/", json={"name": "one too many", "region": "FINLAND-1"}), 409, "limit_reached")
    assert bk.ok(bk.get("/firewalls/?page_size=10&page=3"))["pagination"] == \
        {"page": 3, "page_size": 10, "total": 25, "total_pages": 3}


def test_attach_needs_active_built_instances_in_the_region_and_replaces_the_set(bk: Barrack) -> None:
    fw = _firewall(bk)
    bk.advance(FIREWALL_CREATING)
    building = bk.deploy(name="building")["instance"]
    body = expect_error(bk.post(f"/firewalls/{fw['id']}/attach/", json={"instance_ids": [building["id"]]}), 409,
                        "invalid_state")
    assert "server_uuid" in body["detail"]
    far = bk.running(name="far", region="FINLAND-2", gpu_model="L40", os_image_id=201)
    expect_error(bk.post(f"/firewalls/{fw['id']}/attach/", json={"instance_ids": [far["id"]]}), 409, "region_mismatch")
    a = bk.instance(building["id"])
    assert a["status"] == "ACTIVE"
    b = bk.running(name="b")
    available = bk.ok(bk.get(f"/firewalls/{fw['id']}/available-instances/"))["instances"]
    assert {i["id"] for i in available} == {a["id"], b["id"]}
    attached = bk.ok(bk.post(f"/firewalls/{fw['id']}/attach/", json={"instance_ids": [a["id"], b["id"]]}))
    assert {x["status"] for x in attached["attachments"]} == {"ATTACHING"}
    bk.advance(ATTACHING)
    listed = bk.ok(bk.get(f"/instances/{a['id']}/firewalls/"))["firewalls"]
    assert listed[0]["attachment_status"] == "SUCCESS" and listed[0]["name"] == "web"
    expect_error(bk.delete(f"/firewalls/{fw['id']}/"), 409, "firewall_in_use")
    bk.ok(bk.post(f"/firewalls/{fw['id']}/attach/", json={"instance_ids": [b["id"]]}))
    assert bk.ok(bk.get(f"/instances/{a['id']}/firewalls/"))["firewalls"] == []
    bk.ok(bk.post(f"/firewalls/{fw['id']}/attach/", json={"instance_ids": []}))
    bk.ok(bk.delete(f"/firewalls/{fw['id']}/"))


def test_stopped_and_hibernated_instances_cannot_take_a_firewall(bk: Barrack) -> None:
    fw = _firewall(bk)
    bk.advance(FIREWALL_CREATING)
    vm = bk.running()
    bk.action(vm["id"], "stop")
    bk.advance(STOPPING)
    expect_error(bk.post(f"/firewalls/{fw['id']}/attach/", json={"instance_ids": [vm["id"]]}), 409, "invalid_state")
