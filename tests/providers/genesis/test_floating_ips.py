"""Floating IPs: ipv4 only, address once created, not for legacy accounts, in-use refusals, isolation."""

from __future__ import annotations

import ipaddress

import pytest

from twinhelp import (
    FIP_CREATING, FIP_DELETING, INSTANCE_CREATING, INSTANCE_DELETING, MUC, NORD, advance, create_floating_ip,
    create_instance, expect_empty_204, expect_error, get,
)

FIELDS = {"id", "name", "description", "ip_address", "is_public", "version", "region", "status", "instance",
          "created_at", "updated_at"}


def test_create_answers_201_wrapped_without_address(gc):
    resp = gc.post("/floating-ips", json={"name": "ip", "region": NORD, "description": "front", "version": "ipv4"})
    assert resp.status_code == 201
    body = resp.get_json()
    assert set(body) == {"floating_ip"}
    fip = body["floating_ip"]
    assert set(fip) == FIELDS
    assert fip["status"] == "creating" and fip["ip_address"] is None and fip["instance"] is None
    assert fip["is_public"] is True and fip["version"] == "ipv4" and fip["description"] == "front"
    assert get(gc, f"/floating-ips/{fip['id']}") == {"floating_ip": fip}
    assert get(gc, "/floating-ips")["floating_ips"] == [fip]


def test_ipv6_cannot_be_created(gc):
    expect_error(gc.post("/floating-ips", json={"name": "ip", "region": NORD, "version": "ipv6"}), 400, "02002")


@pytest.mark.parametrize("body", [{"name": "ip"}, {"region": NORD}, {"name": "ip", "region": "NOWHERE"}])
def test_invalid_create_bodies(gc, body):
    expect_error(gc.post("/floating-ips", json=body), 400, "02002")


def test_created_after_3s_with_an_address_of_the_region(gc):
    fip = create_floating_ip(gc, region=MUC)
    advance(gc, FIP_CREATING - 1)
    assert get(gc, f"/floating-ips/{fip['id']}", "floating_ip")["ip_address"] is None
    advance(gc, 1)
    created = get(gc, f"/floating-ips/{fip['id']}", "floating_ip")
    assert created["status"] == "created"
    assert ipaddress.ip_address(created["ip_address"]) in ipaddress.ip_network("203.0.113.0/25")


def test_floating_ips_and_instances_never_share_an_address(gc):
    """EUC-DE-MUC-1's /25 holds 126 hosts; 40 floating IPs and 20 instances must all differ."""
    for i in range(40):
        create_floating_ip(gc, region=MUC, name=f"ip{i}")
    for i in range(20):
        create_instance(gc, region=MUC, name=f"i{i}", hostname=f"i{i}")
    advance(gc, INSTANCE_CREATING)
    addresses = [f["ip_address"] for f in get(gc, "/floating-ips?per_page=100", "floating_ips")]
    addresses += [i["public_ip"] for i in get(gc, "/instances?per_page=100", "instances")]
    assert len(addresses) == 60 and None not in addresses
    assert len(set(addresses)) == 60


def test_released_addresses_can_be_handed_out_again(gc):
    """A tiny range: NA-CA-MNZ-1 is a /27 (30 hosts). Releasing makes room for new ones."""
    for i in range(30):
        create_floating_ip(gc, region="NA-CA-MNZ-1", name=f"ip{i}")
    advance(gc, FIP_CREATING)
    listing = get(gc, "/floating-ips?per_page=100", "floating_ips")
    assert len({f["ip_address"] for f in listing}) == 30
    first = listing[0]
    gc.delete(f"/floating-ips/{first['id']}")
    advance(gc, FIP_DELETING)
    fresh = create_floating_ip(gc, region="NA-CA-MNZ-1", name="again")
    advance(gc, FIP_CREATING)
    assert get(gc, f"/floating-ips/{fresh['id']}", "floating_ip")["ip_address"] == first["ip_address"]


def test_update(gc):
    fip = create_floating_ip(gc)
    resp = gc.patch(f"/floating-ips/{fip['id']}", json={"name": "renamed", "description": "d"})
    assert resp.status_code == 200
    updated = resp.get_json()["floating_ip"]
    assert updated["name"] == "renamed" and updated["description"] == "d"
    assert get(gc, f"/floating-ips/{fip['id']}", "floating_ip") == updated


def test_delete_shows_deleting_then_404(gc):
    fip = create_floating_ip(gc)
    advance(gc, FIP_CREATING)
    expect_empty_204(gc.delete(f"/floating-ips/{fip['id']}"))
    assert get(gc, f"/floating-ips/{fip['id']}", "floating_ip")["status"] == "deleting"
    expect_error(gc.delete(f"/floating-ips/{fip['id']}"), 409, "02037")
    advance(gc, FIP_DELETING)
    expect_error(gc.get(f"/floating-ips/{fip['id']}"), 404, "02006")


def test_assigned_floating_ip_cannot_be_deleted_until_the_instance_is_gone(gc):
    fip = create_floating_ip(gc)
    inst = create_instance(gc, floating_ip=fip["id"])
    body = expect_error(gc.delete(f"/floating-ips/{fip['id']}"), 409, "02043")
    assert "assigned" in body["message"]
    gc.delete(f"/instances/{inst['id']}")
    expect_error(gc.delete(f"/floating-ips/{fip['id']}"), 409, "02043")  # still assigned while deleting
    advance(gc, INSTANCE_DELETING)
    assert get(gc, f"/floating-ips/{fip['id']}", "floating_ip")["instance"] is None
    expect_empty_204(gc.delete(f"/floating-ips/{fip['id']}"))


def test_legacy_accounts_get_403_on_every_floating_ip_operation(legacy, gc):
    fip = create_floating_ip(gc)
    for resp in (legacy.get("/floating-ips"), legacy.post("/floating-ips", json={"name": "x", "region": NORD}),
                 legacy.get(f"/floating-ips/{fip['id']}"), legacy.patch(f"/floating-ips/{fip['id']}", json={"name": "x"}),
                 legacy.delete(f"/floating-ips/{fip['id']}")):
        expect_error(resp, 403, "02044")


def test_isolation(gc, other):
    fip = create_floating_ip(gc)
    for call in (other.get(f"/floating-ips/{fip['id']}"), other.patch(f"/floating-ips/{fip['id']}", json={"name": "x"}),
                 other.delete(f"/floating-ips/{fip['id']}")):
        expect_error(call, 404, "02006")
    assert get(other, "/floating-ips")["total_count"] == 0


def test_update_while_deleting_is_refused(gc):
    fip = create_floating_ip(gc)
    advance(gc, FIP_CREATING)
    gc.delete(f"/floating-ips/{fip['id']}")
    expect_error(gc.patch(f"/floating-ips/{fip['id']}", json={"name": "late"}), 409, "02037")
    assert get(gc, f"/floating-ips/{fip['id']}", "floating_ip")["name"] == "ip-1"
