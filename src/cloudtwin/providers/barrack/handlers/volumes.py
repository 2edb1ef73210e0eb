"""Volumes: list (with the next free name), create, details, delete and billing."""

from __future__ import annotations

from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call
from .. import billing, charges, pricing, storage
from ..common import currency, matches, message, money, newest_first, owned, paged, require_name_free, require_profile
from ..views import volume as view
from . import handlers
from ..resources import Volume


def next_name(call: Call) -> str:
    """`volume<N>` with the smallest N >= 1 not used by any of the caller's volumes."""
    taken = {r.name for r in call.records.rows(Volume)}
    n = 1
    while f"volume{n}" in taken:
        n += 1
    return f"volume{n}"


@handlers("listVolumes")
def list_volumes(call: Call) -> dict[str, Any]:
    rows = [r for r in newest_first(call.records.rows(Volume)) if matches(call, region=r.region, status=r.status)]
    return paged(call, "volumes", rows, lambda r: view(call, r), next_name=next_name(call))


@handlers("getVolume")
def get_volume(call: Call) -> dict[str, Any]:
    return {"volume": view(call, owned(call, Volume, call.path["volume_id"], "Volume"))}


@handlers("createVolume")
def create_volume(call: Call) -> dict[str, Any]:
    body = call.body
    bootable = bool(body.get("bootable", False))
    image_id = body.get("os_image_id") if bootable else None
    if image_id is not None and not any(i["id"] == image_id and i["region"] == body["region"]
                                        for i in call.fixtures["os_images"]["images"]):
        raise ApiError("not_found", f"OS image {image_id} is not offered in {body['region']}.")
    require_profile(call)
    billing.require_credit(call)
    storage.require_region_room(call, body["region"])
    require_name_free(call, Volume, body["name"])
    row = storage.new_volume(call, name=body["name"], region=body["region"], size=body["size"],
                             volume_type=body["volume_type"], bootable=bootable, os_image_id=image_id)
    return message("Volume created.", volume=view(call, row))


@handlers("deleteVolume")
def delete_volume(call: Call) -> dict[str, Any]:
    row = owned(call, Volume, call.path["volume_id"], "Volume")
    if row.data["attachment"] is not None:
        raise ApiError("volume_in_use")
    if row.data["status"] == "creating":
        raise ApiError("invalid_state", "The volume is still being created.")
    storage.delete(call, row)
    return message("Volume deleted.", volume_id=row.data["id"])


@handlers("getVolumeBilling")
def get_volume_billing(call: Call) -> dict[str, Any]:
    row = owned(call, Volume, call.path["volume_id"], "Volume")
    lo, hi = charges.window(call)
    cur = currency(call)
    records = [{"period_start": charges.iso_of(p[0]), "period_end": charges.iso_of(p[1]),
                "size": _size_at(call, row, p[2]),
                "volume_type": row.data["volume_type"],
                "price_per_tb_hour": pricing.storage_per_tb_hour(call, row.data["volume_type"], cur),
                "amount": money(charges.amount(p))} for p in charges.pieces(call, row, lo, hi)]
    records.reverse()
    summary = charges.summary(call, row, lo, hi)
    return paged(call, "records", records, volume_id=row.data["id"], currency=cur, summary=summary)


def _size_at(call: Call, row: Any, rate: float) -> int:
    """A past record's size, from its rate (sizes only grow, so rates map back one to one)."""
    per_gb = pricing.storage_rate(call, row.data["volume_type"], 1, currency(call))
    return max(1, round(rate / per_gb)) if per_gb else row.data["size"]
