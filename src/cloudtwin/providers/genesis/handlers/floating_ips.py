"""Floating IPs: ipv4, assigned through an instance's `floating_ip` on create."""

from __future__ import annotations

from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call
from ..common import (
    page_of, refresh_refs, refuse_if_deleting, require_current_account, require_region, stamp, start_delete, touch,
)
from ..resources import FloatingIP
from . import handlers

FEATURE = "floating IPs"


def _floating_ip(call: Call) -> FloatingIP:
    require_current_account(call, FEATURE)
    return call.records.get(FloatingIP, call.path["floating_ip_id"], message="floating IP not found")


@handlers("listFloatingIPs")
def list_floating_ips(call: Call) -> dict[str, Any]:
    require_current_account(call, FEATURE)
    return page_of(call, FloatingIP, "floating_ips")


@handlers("getFloatingIP")
def get_floating_ip(call: Call) -> dict[str, Any]:
    return {"floating_ip": _floating_ip(call).data}


@handlers("createFloatingIP")
def create_floating_ip(call: Call) -> dict[str, Any]:
    require_current_account(call, FEATURE)
    body = call.body
    require_region(call, body["region"])
    fip_id = call.ids.uuid4()
    now = stamp(call)
    row = call.records.add(FloatingIP, fip_id, {
        "id": fip_id, "name": body["name"], "description": body.get("description", ""), "ip_address": None,
        "is_public": True, "version": body.get("version", "ipv4"), "region": body["region"],
        "status": "creating", "instance": None, "created_at": now, "updated_at": now,
    })
    call.enter(row, "creating")
    return {"floating_ip": row.data}


@handlers("updateFloatingIP")
def update_floating_ip(call: Call) -> dict[str, Any]:
    row = _floating_ip(call)
    refuse_if_deleting(row)
    for field in ("name", "description"):
        if field in call.body:
            row.data[field] = call.body[field]
    if "name" in call.body:
        refresh_refs(call, row)
    touch(row, call)
    return {"floating_ip": row.data}


@handlers("deleteFloatingIP")
def delete_floating_ip(call: Call) -> None:
    row = _floating_ip(call)
    if row.instance is not None:
        raise ApiError("in_use", "the floating IP is assigned to an instance")
    start_delete(call, row)
