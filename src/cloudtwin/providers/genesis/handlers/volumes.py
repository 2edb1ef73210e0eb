"""Block volumes: ssd only where the region offers it, sizes only grow, quota on storage."""

from __future__ import annotations

from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call
from ..common import page_of, refresh_refs, region_of, require_region, stamp, start_delete, touch
from ..usage import add_storage
from ..resources import Volume
from . import handlers
from .account import quota_room


def _volume(call: Call) -> Volume:
    return call.records.get(Volume, call.path["volume_id"], message="volume not found")


@handlers("listVolumes")
def list_volumes(call: Call) -> dict[str, Any]:
    return page_of(call, Volume, "volumes")


@handlers("getVolume")
def get_volume(call: Call) -> dict[str, Any]:
    return {"volume": _volume(call).data}


@handlers("createVolume")
def create_volume(call: Call) -> dict[str, Any]:
    body = call.body
    volume_type = body.get("type", "hdd")
    require_region(call, body["region"])
    if volume_type not in region_of(call, body["region"])["volume_types"]:
        raise ApiError("type_unavailable", f"{volume_type} volumes are not offered in {body['region']}")
    if quota_room(call, "volume_storage") < body["size"]:
        raise ApiError("quota_exceeded", "volume storage quota exceeded")
    volume_id = call.ids.uuid4()
    now = stamp(call)
    row = call.records.add(Volume, volume_id, {
        "id": volume_id, "name": body["name"], "description": body.get("description", ""),
        "type": volume_type, "size": body["size"], "region": body["region"], "instances": [],
        "status": "creating", "created_at": now, "updated_at": now,
    })
    add_storage(call, body["size"])
    call.enter(row, "creating")
    return {"volume": row.data}


@handlers("updateVolume")
def update_volume(call: Call) -> dict[str, Any]:
    row = _volume(call)
    body = call.body
    if row.status == "deleting":
        raise ApiError("invalid_state", "the volume is being deleted")
    if "size" in body:
        if body["size"] < row.size:
            raise ApiError("shrink_refused", "a volume can only grow")
        if quota_room(call, "volume_storage") < body["size"] - row.size:
            raise ApiError("quota_exceeded", "volume storage quota exceeded")
    if "size" in body:
        add_storage(call, body["size"] - row.size)
    for field in ("name", "description", "size"):
        if field in body:
            row.data[field] = body[field]
    if "name" in body:
        refresh_refs(call, row)
    touch(row, call)
    return {"volume": row.data}


@handlers("deleteVolume")
def delete_volume(call: Call) -> None:
    row = _volume(call)
    if row.instances:
        raise ApiError("in_use", "detach the volume from its instance first")
    start_delete(call, row)
