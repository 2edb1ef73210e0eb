"""Volumes as the rest of the provider uses them: create, meter, attach, detach."""

from __future__ import annotations


from ...engine.errors import ApiError
from ...engine.provider import Context
from ...engine.store import Row
from . import billing, pricing
from .common import currency, limit, next_id, stamp, tier
from . import resources


def clone_seconds(ctx: Context, size_gb: int) -> float:
    """INFERRED: a clone's copy takes 1 s per `clone_gb_per_second` GB (the provider: it grows with size)."""
    return size_gb / float(ctx.fixtures["limits"]["sizes"]["clone_gb_per_second"])


def max_size(ctx: Context, volume_type: str) -> int:
    return int(ctx.fixtures["limits"]["sizes"]["volume_max_gb"][volume_type])


def new_volume(ctx: Context, *, name: str, region: str, size: int, volume_type: str, bootable: bool = False,
               os_image_id: int | None = None, source_volume_id: int | None = None, copy_seconds: float = 0) -> resources.Volume:
    """A volume in `creating`, billed from now (the lifecycle makes it `available`).

    A clone also copies its source: `copy_seconds` more in `creating` (the lifecycle's duration
    is counted from the end of the copy, since lifecycles.yaml has one duration per state)."""
    volume_id = next_id(ctx, "volume")
    row = ctx.records.add(resources.Volume, str(volume_id), {
        "id": volume_id, "name": name, "region": region, "tier": tier(ctx, region), "size": size,
        "volume_type": volume_type, "bootable": bootable, "status": "creating", "os_image_id": os_image_id,
        "source_volume_id": source_volume_id, "attachment": None, "created_at": stamp(ctx),
    })
    ctx.enter(row, "creating", at=ctx.now + copy_seconds)
    meter(ctx, row)
    return row


def meter(ctx: Context, row: Row) -> None:
    data = row.data
    hourly = pricing.storage_rate(ctx, data["volume_type"], data["size"], currency(ctx))
    billing.set_meter(ctx, row, hourly, data["status"], "storage")


def require_region_room(ctx: Context, region: str, adding: int = 1) -> None:
    cap = int(ctx.fixtures["limits"].get("region_overrides", {}).get(region, {}).get(
        "volumes", limit(ctx, "per_region", "volumes")))
    used = sum(1 for r in ctx.records.rows(resources.Volume) if r.region == region)
    if used + adding > cap:
        raise ApiError("limit_reached", f"At most {cap} volumes in {region}.")


def attach(ctx: Context, volume: Row, instance: Row, *, boot: bool = False) -> None:
    """Record the attachment on both sides; a volume still `creating` turns `in-use` when ready."""
    if boot:
        instance.meta["boot_volume_id"] = volume.data["id"]
        device = "/dev/vda"
    else:
        instance.meta.setdefault("data_volume_ids", []).append(volume.data["id"])
        device = _free_device(ctx, instance)
    volume.data["attachment"] = {"instance_id": instance.id, "instance_name": instance.data["name"],
                                 "device": device, "is_boot_volume": boot, "attached_at": stamp(ctx)}
    if volume.data["status"] != "creating":
        ctx.enter(volume, "in-use")


def _free_device(ctx: Context, instance: Row) -> str:
    used = set()
    for vid in instance.meta.get("data_volume_ids", []):
        other = ctx.records.find(resources.Volume, str(vid))
        if other is not None and other.data["attachment"]:
            used.add(other.data["attachment"]["device"])
    return next(f"/dev/vd{c}" for c in "bcdefghijklmnopqrstuvwxyz" if f"/dev/vd{c}" not in used)


def detach(ctx: Context, volume: Row, instance: Row) -> None:
    vid = volume.data["id"]
    if instance.meta.get("boot_volume_id") == vid:
        instance.meta["boot_volume_id"] = None
    instance.meta["data_volume_ids"] = [v for v in instance.meta.get("data_volume_ids", []) if v != vid]
    volume.data["attachment"] = None
    if volume.data["status"] == "in-use":
        ctx.enter(volume, "available")


def entered(ctx: Context, row: Row, state: str) -> None:
    """A volume made attached (at deploy) is `in-use` as soon as it is ready. Every other status
    change opens a new charge segment at the same rate, so billing records carry the status the
    volume had in their period and the newest one its current status."""
    if state == "available" and row.data["attachment"] is not None:
        ctx.enter(row, "in-use")
        return
    current = row.meta.get("meter")
    if current is not None and current["status"] != state:
        meter(ctx, row)


def delete(ctx: Context, row: Row) -> None:
    billing.stop_meter(ctx, row)
    ctx.records.remove(resources.Volume, row.id)


