"""Snapshots of running or stopped instances: billed by size once available, restorable as new instances."""

from __future__ import annotations

from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call
from ....engine.store import Row
from ..resources import Image, Instance, Snapshot, Volume
from .. import billing, charges, images_store, instance_state
from ..common import (currency, limit, message, money, newest_first, next_id, owned, paged, require_name_free,
                      require_profile, require_room, stamp)
from ..launch import boot_disk, launch, require_can_launch
from ..views import instance as instance_view, snapshot as view, snapshot_detail
from . import handlers


def _snapshot(call: Call) -> Row:
    return owned(call, Snapshot, call.path["snapshot_id"], "Snapshot")


@handlers("listSnapshots")
def list_snapshots(call: Call) -> dict[str, Any]:
    return paged(call, "snapshots", newest_first(call.records.rows(Snapshot)), lambda r: view(call, r))


@handlers("getSnapshot")
def get_snapshot(call: Call) -> dict[str, Any]:
    return {"snapshot": snapshot_detail(call, _snapshot(call))}


@handlers("createSnapshot")
def create_snapshot(call: Call) -> dict[str, Any]:
    body = call.body
    instance = owned(call, Instance, body["instance_id"], "Instance")
    if not instance_state.operations(instance)["snapshot"]:
        raise ApiError("invalid_state", "Only ACTIVE or SHUTOFF instances can be snapshotted.")
    require_name_free(call, Snapshot, body["name"])
    require_profile(call)
    billing.require_credit(call)
    is_image = bool(body.get("is_image", False))
    if is_image:
        images_store.require_can_image(call, body["name"])
    require_room(call, call.records.count(Snapshot), limit(call, "per_account", "snapshots"), "snapshots")
    boot = call.records.find(Volume, str(instance.meta.get("boot_volume_id")))
    image = instance.data["image"]
    snapshot_id = next_id(call, "snapshot")
    row = call.records.add(Snapshot, str(snapshot_id), {
        "id": snapshot_id, "name": body["name"], "description": body.get("description"),
        "region": instance.data["region"], "status": "creating", "size": 0, "instance_id": instance.id,
        "instance_name": instance.data["name"], "created_at": stamp(call), "gpu_model": instance.data["gpu_model"],
        "gpu_count": instance.data["gpu_count"], "boot_source": instance.data["boot_source"],
        "os_image_name": image["name"] if image else None,
    }, {"is_image": is_image, "image_id": None, "boot_size": boot.data["size"] if boot else 100,
        "image": image})
    call.enter(row, "creating")
    return message("Snapshot started.", snapshot={
        "id": snapshot_id, "name": row.data["name"], "status": "creating", "region": row.data["region"],
        "instance_id": instance.id, "is_image": is_image, "created_at": row.data["created_at"]})


@handlers("deleteSnapshot")
def delete_snapshot(call: Call) -> dict[str, Any]:
    row = _snapshot(call)
    if row.data["status"] == "creating":
        raise ApiError("invalid_state", "The snapshot is still being created.")
    image = call.records.find(Image, str(row.meta.get("image_id")))
    if image is not None:
        image.data["snapshot_id"] = None
    billing.stop_meter(call, row)
    call.records.remove(Snapshot, row.id)
    return message("Snapshot deleted.", snapshot_id=row.data["id"])


@handlers("restoreSnapshot")
def restore_snapshot(call: Call) -> dict[str, Any]:
    row = _snapshot(call)
    body = call.body or {}
    if row.data["status"] != "available":
        raise ApiError("invalid_state", "Only available snapshots can be restored.")
    data = row.data
    name = body.get("name") or f"{data['name']}-restored"[:50].rstrip()
    require_can_launch(call, name=name, region_code=data["region"], model=data["gpu_model"], count=data["gpu_count"])
    instance = launch(call, name=name, region_code=data["region"], model=data["gpu_model"], count=data["gpu_count"],
                      boot_source=data["boot_source"], image=row.meta.get("image"),
                      public_ip=body.get("public_ip", True))
    boot_disk(call, instance, size=row.meta["boot_size"], os_image_id=(row.meta.get("image") or {}).get("id"))
    return message("Snapshot restore started.", snapshot_id=data["id"], instance=instance_view(call, instance))


@handlers("getSnapshotBilling")
def get_snapshot_billing(call: Call) -> dict[str, Any]:
    row = _snapshot(call)
    lo, hi = charges.window(call)
    cur = currency(call)
    per_gb = float(call.fixtures["prices"]["snapshot_per_gb_hour"][cur])
    records = [{"period_start": charges.iso_of(p[0]), "period_end": charges.iso_of(p[1]), "size": row.data["size"],
                "price_per_gb_hour": per_gb, "amount": money(charges.amount(p))}
               for p in charges.pieces(call, row, lo, hi)]
    records.reverse()
    summary = charges.summary(call, row, lo, hi)
    return paged(call, "records", records, snapshot_id=row.data["id"], currency=cur, summary=summary)


@handlers("getSnapshotImageRelationship")
def get_snapshot_image_relationship(call: Call) -> dict[str, Any]:
    return images_store.relationship(call, _snapshot(call))


@handlers("getSnapshotImageRelationships")
def get_snapshot_image_relationships(call: Call) -> dict[str, Any]:
    out = []
    for snapshot_id in call.body["snapshot_ids"]:
        row = call.records.find(Snapshot, str(snapshot_id))
        if row is None:
            out.append({"snapshot_id": snapshot_id, "exists": False, "has_image": False, "image": None})
        else:
            out.append({**images_store.relationship(call, row), "exists": True})
    return {"relationships": out}
