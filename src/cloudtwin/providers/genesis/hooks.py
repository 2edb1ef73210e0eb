"""What happens when a Genesis resource enters a state, and when it goes away."""

from __future__ import annotations

from typing import Any

from ...engine import addresses
from ...engine.clock import iso
from ...engine.provider import Context
from ...engine.store import Row
from .common import region_of
from .stock import release_stock
from .usage import add_storage, instance_entered, instance_removed

STANDARD_GROUP_RULES: list[dict[str, Any]] = [
    {"protocol": "tcp", "direction": "ingress", "port_range_min": 22, "port_range_max": 22},
    {"protocol": "icmp", "direction": "ingress", "port_range_min": None, "port_range_max": None},
    {"protocol": "all", "direction": "egress", "port_range_min": None, "port_range_max": None},
]


def setup_account(ctx: Context) -> None:
    """Every account has an internal `standard` security group in each region it may use."""
    legacy = bool(ctx.account and ctx.account.settings.get("genesis", {}).get("legacy"))
    stamp = iso(ctx.now)
    for region, info in ctx.fixtures["regions"]["regions"].items():
        if info.get("legacy_only") and not legacy:
            continue
        row_id = ctx.ids.uuid4()
        ctx.records.add("security_group", row_id, {
            "id": row_id, "name": "standard", "description": "Default rules for new instances",
            "is_internal": True, "region": region, "status": "created",
            "rules": [dict(rule) for rule in STANDARD_GROUP_RULES], "created_at": stamp, "updated_at": stamp,
        })


def on_enter(ctx: Context, row: Row, state: str) -> None:
    row.data["updated_at"] = iso(ctx.now)
    if row.kind == "instance":
        _instance_entered(ctx, row, state)
    elif row.kind == "floating_ip" and state == "created" and row.data["ip_address"] is None:
        row.data["ip_address"] = addresses.take(ctx, row, "public", region_of(ctx, row.data["region"])["public_cidr"])
    elif row.kind == "filesystem" and state == "created" and row.data["mount_base_path"] is None:
        row.data["mount_endpoint_range"] = list(region_of(ctx, row.data["region"])["filesystem_range"])
        row.data["mount_base_path"] = "/" + ctx.ids.uuid4()


def _instance_entered(ctx: Context, row: Row, state: str) -> None:
    instance_entered(ctx, row, state)
    data = row.data
    if state == "active" and data["public_ip"] is None:
        data["public_ip"] = addresses.take(ctx, row, "public", region_of(ctx, data["region"])["public_cidr"])
        data["private_ip"] = addresses.take(ctx, row, "private", ctx.fixtures["regions"]["private_cidr"])
    if state == "stopped" and row.meta.get("destroy_on_shutdown"):
        ctx.enter(row, "deleting")


def on_remove(ctx: Context, row: Row) -> None:
    """An instance that goes away lets go of its volumes, floating IP and stock."""
    if row.kind == "floating_ip":
        addresses.release(ctx, row, ("public", row.data["ip_address"]))
    if row.kind == "volume":
        add_storage(ctx, -int(row.data["size"]))
    if row.kind != "instance":
        return
    instance_removed(ctx, row)
    records = ctx.records
    for volume_ref in row.data["volumes"]:
        volume = records.find("volume", volume_ref["id"])
        if volume is not None:
            volume.data["instances"] = [i for i in volume.data["instances"] if i["id"] != row.id]
            volume.data["updated_at"] = iso(ctx.now)
    if row.data["floating_ip"]:
        fip = records.find("floating_ip", row.data["floating_ip"]["id"])
        if fip is not None:
            fip.data["instance"] = None
            fip.data["updated_at"] = iso(ctx.now)
    for group_ref in row.data["security_groups"]:
        group = records.find("security_group", group_ref["id"])
        if group is not None:
            group.meta["instances"] = [i for i in group.meta.get("instances", []) if i != row.id]
    release_stock(ctx, row)
    addresses.release(ctx, row, ("public", row.data["public_ip"]), ("private", row.data["private_ip"]))
