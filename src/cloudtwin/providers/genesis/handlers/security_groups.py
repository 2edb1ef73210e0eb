"""Security groups: reserved names, one name per region, internal groups left alone."""

from __future__ import annotations

from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call
from ..common import page_of, refresh_refs, refuse_if_deleting, require_region, stamp, start_delete, touch
from ..resources import SecurityGroup
from . import handlers

RESERVED_NAMES = frozenset({"default", "standard"})


def _group(call: Call) -> SecurityGroup:
    return call.records.get(SecurityGroup, call.path["security_group_id"], message="security group not found")


def _check_name(call: Call, name: str, region: str, own_id: str | None = None) -> None:
    if name.strip().lower() in RESERVED_NAMES:
        raise ApiError("name_reserved", f"the name {name!r} is reserved")
    for group in call.records.rows(SecurityGroup):
        if group.id != own_id and group.region == region and group.name == name:
            raise ApiError("name_taken", f"a security group named {name!r} exists in {region}")


def _check_rules(rules: list[dict[str, Any]]) -> None:
    for rule in rules:
        low, high = rule.get("port_range_min"), rule.get("port_range_max")
        if low is not None and high is not None and low > high:
            raise ApiError("invalid_request", "port_range_min must not exceed port_range_max")


def _rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"protocol": r["protocol"], "direction": r["direction"],
             "port_range_min": r.get("port_range_min"), "port_range_max": r.get("port_range_max")} for r in rules]


@handlers("listSecurityGroups")
def list_security_groups(call: Call) -> dict[str, Any]:
    return page_of(call, SecurityGroup, "security_groups")


@handlers("getSecurityGroup")
def get_security_group(call: Call) -> dict[str, Any]:
    return {"security_group": _group(call).data}


@handlers("createSecurityGroup")
def create_security_group(call: Call) -> dict[str, Any]:
    body = call.body
    require_region(call, body["region"])
    _check_name(call, body["name"], body["region"])
    _check_rules(body["rules"])
    group_id = call.ids.uuid4()
    now = stamp(call)
    row = call.records.add(SecurityGroup, group_id, {
        "id": group_id, "name": body["name"], "description": body.get("description", ""), "is_internal": False,
        "region": body["region"], "status": "creating", "rules": _rules(body["rules"]),
        "created_at": now, "updated_at": now,
    })
    call.enter(row, "creating")
    return {"security_group": row.data}


@handlers("updateSecurityGroup")
def update_security_group(call: Call) -> dict[str, Any]:
    row = _group(call)
    body = call.body
    if row.is_internal:
        raise ApiError("in_use", "the internal standard group cannot be changed")
    refuse_if_deleting(row)
    if "name" in body:
        _check_name(call, body["name"], row.region, row.id)
    if "rules" in body:
        _check_rules(body["rules"])
        row.rules = _rules(body["rules"])
    for field in ("name", "description"):
        if field in body:
            row.data[field] = body[field]
    if "name" in body:
        refresh_refs(call, row)
    touch(row, call)
    return {"security_group": row.data}


@handlers("deleteSecurityGroup")
def delete_security_group(call: Call) -> None:
    row = _group(call)
    if row.is_internal:
        raise ApiError("in_use", "the internal standard group cannot be deleted")
    if row.instances:
        raise ApiError("in_use", "the security group is attached to an instance")
    start_delete(call, row)
