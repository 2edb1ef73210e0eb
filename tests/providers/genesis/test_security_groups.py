"""Security groups: the seeded standard groups, reserved and taken names, rules, in-use refusals."""

from __future__ import annotations

import pytest

from twinhelp import (
    CURRENT_REGIONS, HAF, MUC, NORD, SG_CREATING, SG_DELETING, advance, create_instance, create_security_group,
    expect_empty_204, expect_error, get,
)

FIELDS = {"id", "name", "description", "is_internal", "region", "status", "rules", "created_at", "updated_at"}
RULE = {"protocol": "tcp", "direction": "ingress", "port_range_min": 80, "port_range_max": 80}


def test_every_current_account_has_a_standard_group_per_current_region(gc, other):
    for api in (gc, other):
        listing = get(api, "/security-groups")
        groups = listing["security_groups"]
        assert listing["total_count"] == len(CURRENT_REGIONS)
        assert sorted(g["region"] for g in groups) == sorted(CURRENT_REGIONS)
        for group in groups:
            assert set(group) == FIELDS
            assert group["name"] == "standard" and group["is_internal"] is True and group["status"] == "created"
            assert {"protocol": "tcp", "direction": "ingress", "port_range_min": 22, "port_range_max": 22} in group["rules"]
    assert not {g["id"] for g in get(gc, "/security-groups", "security_groups")} & \
        {g["id"] for g in get(other, "/security-groups", "security_groups")}


def test_legacy_accounts_also_have_one_in_the_legacy_region(legacy):
    regions = [g["region"] for g in get(legacy, "/security-groups", "security_groups")]
    assert HAF in regions and len(regions) == len(CURRENT_REGIONS) + 1


def test_create_answers_201_wrapped_in_creating_then_created(gc):
    resp = gc.post("/security-groups", json={"name": "web", "region": NORD, "description": "d",
                                             "rules": [RULE, {"protocol": "icmp", "direction": "ingress"}]})
    assert resp.status_code == 201
    body = resp.get_json()
    assert set(body) == {"security_group"}
    group = body["security_group"]
    assert set(group) == FIELDS
    assert group["status"] == "creating" and group["is_internal"] is False and group["description"] == "d"
    # rules come back with both port bounds, null when not given
    assert group["rules"] == [RULE, {"protocol": "icmp", "direction": "ingress", "port_range_min": None,
                                     "port_range_max": None}]
    advance(gc, SG_CREATING)
    assert get(gc, f"/security-groups/{group['id']}", "security_group")["status"] == "created"


@pytest.mark.parametrize("name", ["default", "standard", "Default", " STANDARD "])
def test_reserved_names(gc, name):
    body = expect_error(gc.post("/security-groups", json={"name": name, "region": NORD, "rules": []}), 400, "02040")
    assert "reserved" in body["message"]
    group = create_security_group(gc)
    expect_error(gc.patch(f"/security-groups/{group['id']}", json={"name": name}), 400, "02040")
    assert get(gc, f"/security-groups/{group['id']}", "security_group")["name"] == "web"


def test_names_are_unique_per_region(gc, other):
    create_security_group(gc, name="web")
    expect_error(gc.post("/security-groups", json={"name": "web", "region": NORD, "rules": []}), 409, "02041")
    assert create_security_group(gc, name="web", region=MUC)["region"] == MUC
    assert create_security_group(other, name="web")["name"] == "web"  # another account
    db = create_security_group(gc, name="db")
    expect_error(gc.patch(f"/security-groups/{db['id']}", json={"name": "web"}), 409, "02041")
    assert gc.patch(f"/security-groups/{db['id']}", json={"name": "db"}).status_code == 200  # its own name


@pytest.mark.parametrize("rule", [
    {"protocol": "tcp", "direction": "ingress", "port_range_min": 0},
    {"protocol": "tcp", "direction": "ingress", "port_range_max": 65536},
    {"protocol": "sctp", "direction": "ingress"},
    {"protocol": "tcp", "direction": "sideways"},
    {"protocol": "tcp"},
])
def test_invalid_rules(gc, rule):
    expect_error(gc.post("/security-groups", json={"name": "x", "region": NORD, "rules": [rule]}), 400, "02002")


def test_port_range_min_above_max_is_refused(gc):
    rule = {"protocol": "tcp", "direction": "ingress", "port_range_min": 90, "port_range_max": 80}
    expect_error(gc.post("/security-groups", json={"name": "x", "region": NORD, "rules": [rule]}), 400, "02002")
    group = create_security_group(gc)
    expect_error(gc.patch(f"/security-groups/{group['id']}", json={"rules": [rule]}), 400, "02002")
    assert len(get(gc, "/security-groups", "security_groups")) == len(CURRENT_REGIONS) + 1


def test_rules_are_required_on_create(gc):
    expect_error(gc.post("/security-groups", json={"name": "x", "region": NORD}), 400, "02002")
    expect_error(gc.post("/security-groups", json={"name": "x", "region": NORD,
                                                   "rules": [RULE] * 101}), 400, "02002")


def test_update_replaces_rules_and_renames(gc):
    group = create_security_group(gc)
    new_rules = [{"protocol": "udp", "direction": "egress", "port_range_min": 53, "port_range_max": 53}]
    resp = gc.patch(f"/security-groups/{group['id']}", json={"name": "dns", "description": "x", "rules": new_rules})
    assert resp.status_code == 200
    updated = resp.get_json()["security_group"]
    assert updated["rules"] == new_rules and updated["name"] == "dns" and updated["description"] == "x"


def test_standard_groups_cannot_be_changed_or_deleted(gc):
    standard = get(gc, "/security-groups", "security_groups")[0]
    expect_error(gc.patch(f"/security-groups/{standard['id']}", json={"description": "x"}), 409, "02043")
    expect_error(gc.delete(f"/security-groups/{standard['id']}"), 409, "02043")
    assert get(gc, f"/security-groups/{standard['id']}", "security_group") == standard


def test_delete_shows_deleting_then_404(gc):
    group = create_security_group(gc)
    advance(gc, SG_CREATING)
    expect_empty_204(gc.delete(f"/security-groups/{group['id']}"))
    assert get(gc, f"/security-groups/{group['id']}", "security_group")["status"] == "deleting"
    expect_error(gc.delete(f"/security-groups/{group['id']}"), 409, "02037")
    advance(gc, SG_DELETING)
    expect_error(gc.get(f"/security-groups/{group['id']}"), 404, "02006")


def test_group_attached_to_an_instance_cannot_be_deleted(gc):
    group = create_security_group(gc)
    inst = create_instance(gc, security_groups=[group["id"]])
    body = expect_error(gc.delete(f"/security-groups/{group['id']}"), 409, "02043")
    assert "attached" in body["message"]
    gc.delete(f"/instances/{inst['id']}")
    advance(gc, 20)
    expect_empty_204(gc.delete(f"/security-groups/{group['id']}"))


def test_deleting_group_cannot_be_attached(gc):
    group = create_security_group(gc)
    gc.delete(f"/security-groups/{group['id']}")
    from twinhelp import instance_body
    expect_error(gc.post("/instances", json=instance_body(security_groups=[group["id"]])), 400, "02048")


def test_isolation(gc, other):
    group = create_security_group(gc)
    for call in (other.get(f"/security-groups/{group['id']}"),
                 other.patch(f"/security-groups/{group['id']}", json={"name": "x"}),
                 other.delete(f"/security-groups/{group['id']}")):
        expect_error(call, 404, "02006")
    assert group["id"] not in [g["id"] for g in get(other, "/security-groups", "security_groups")]


def test_update_while_deleting_is_refused(gc):
    group = create_security_group(gc)
    advance(gc, SG_CREATING)
    gc.delete(f"/security-groups/{group['id']}")
    expect_error(gc.patch(f"/security-groups/{group['id']}", json={"description": "late"}), 409, "02037")
    assert get(gc, f"/security-groups/{group['id']}", "security_group")["description"] == ""
