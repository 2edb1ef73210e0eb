"""Custom images: made from a snapshot in any region, at most one per snapshot; deployed in the legacy tier."""

from __future__ import annotations

from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call
from ....engine.store import Row
from .. import images_store
from ..common import matches, message, newest_first, owned, paged
from . import handlers
from ..resources import Image, Snapshot


def _image(call: Call) -> Row:
    return owned(call, Image, call.path["image_id"], "Image")


@handlers("listImages")
def list_images(call: Call) -> dict[str, Any]:
    rows = [r for r in newest_first(call.records.rows(Image)) if matches(call, region=r.region)]
    return paged(call, "images", rows, lambda r: r.data)


@handlers("getImage")
def get_image(call: Call) -> dict[str, Any]:
    return {"image": _image(call).data}


@handlers("createImageFromSnapshot")
def create_image_from_snapshot(call: Call) -> dict[str, Any]:
    snapshot = owned(call, Snapshot, call.path["snapshot_id"], "Snapshot")
    body = call.body or {}
    if snapshot.data["status"] != "available":
        raise ApiError("invalid_state", "Only available snapshots can become images.")
    if snapshot.meta.get("image_id") is not None:
        raise ApiError("image_exists")
    name = body.get("name") or snapshot.data["name"]
    images_store.require_can_image(call, name)
    row = images_store.new_image(call, snapshot, name, body.get("description"))
    return message("Image creation started.", snapshot_id=snapshot.data["id"], image=row.data)


@handlers("deleteImage")
def delete_image(call: Call) -> dict[str, Any]:
    row = _image(call)
    if row.data["status"] == "creating":
        raise ApiError("invalid_state", "The image is still being created.")
    snapshot = call.records.find(Snapshot, str(row.data["snapshot_id"]))
    if snapshot is not None:
        snapshot.meta["image_id"] = None
    call.records.remove(Image, row.id)
    return message("Image deleted.", image_id=row.data["id"])
