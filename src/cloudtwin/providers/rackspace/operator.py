"""Operator actions (POST /_twin/providers/rackspace/actions/<name>, body {"account": id, ...}).

The twin's Cloud Files content, server snapshots standing in for Cloud Servers, and the
deactivation only Rackspace's own operators may do.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ...engine.errors import ApiError
from ...engine.provider import Context
from . import objects, views
from .access import image_key
from .common import stamp, tenant_of
from .resources import Image

DEFAULT_REGION = "DFW"


def _region(args: Mapping[str, Any]) -> str:
    return str(args.get("region") or DEFAULT_REGION)


def list_objects(ctx: Context, args: Mapping[str, Any]) -> list[dict[str, Any]]:
    return objects.listing(ctx, args.get("region"), args.get("container"))


def put_object(ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
    """Put an object (creating its container). Optional: bytes, vhd, import_outcome, imported_image."""
    region = _region(args)
    objects.ensure_container(ctx, region, str(args["container"]))
    spec = {"bytes": 1073741824, **{k: v for k, v in args.items() if k not in ("region", "container", "object")}}
    row = objects.put(ctx, region, str(args["container"]), str(args["object"]), spec)
    return {**row.data, "region": region, "container": args["container"]}


def delete_object(ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
    row = objects.delete(ctx, _region(args), str(args["container"]), str(args["object"]))
    return {"deleted": row.data["name"]}


def create_snapshot_image(ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
    """A server snapshot: a private image (image_type snapshot) going queued -> saving -> active."""
    region = _region(args)
    image_id = str(args.get("id") or ctx.ids.uuid4())
    now = stamp(ctx)
    data: dict[str, Any] = {
        "id": image_id, "name": args.get("name", "snapshot"), "status": "queued", "visibility": "private",
        "protected": bool(args.get("protected", False)), "container_format": "ovf", "disk_format": "vhd",
        "size": int(args.get("size", 1073741824)), "virtual_size": None,
        "checksum": ctx.ids.hex(32), "min_disk": int(args.get("min_disk", 20)),
        "min_ram": int(args.get("min_ram", 512)), "owner": tenant_of(ctx.account), "tags": list(args.get("tags", [])),
        "created_at": now, "updated_at": now, "image_type": "snapshot", "os_type": "linux",
        "auto_disk_config": "True", "instance_uuid": str(args.get("instance_uuid") or ctx.ids.uuid4()),
        "user_id": tenant_of(ctx.account), "com.rackspace__1__options": "0",
    }
    data.update({str(k): str(v) for k, v in (args.get("properties") or {}).items()})
    # `fails`: the snapshot upload breaks while saving, so the image ends `killed` (shown by id, never listed).
    row = ctx.region(region).add(Image, image_key(region, image_id), data, {"fails": bool(args.get("fails", False))})
    ctx.enter(row, str(args.get("status", "queued")))
    return views.image(row)


def _image(ctx: Context, args: Mapping[str, Any]) -> Image:
    row = ctx.region(_region(args)).find(Image, image_key(_region(args), str(args["image"])))
    if row is None:
        raise ApiError("not_found", f"No image {args['image']} in {_region(args)}.")
    return row


def deactivate_image(ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
    """What a Rackspace operator does while investigating an image (Glance: active only)."""
    row = _image(ctx, args)
    if row.data["status"] not in ("active", "deactivated"):
        raise ValueError(f"Not allowed to deactivate image in status '{row.data['status']}'")
    if row.data["status"] == "active":
        ctx.enter(row, "deactivated")
    return views.image(row)


def reactivate_image(ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
    row = _image(ctx, args)
    if row.data["status"] not in ("active", "deactivated"):
        raise ValueError(f"Not allowed to reactivate image in status '{row.data['status']}'")
    if row.data["status"] == "deactivated":
        ctx.enter(row, "active")
    return views.image(row)


ACTIONS: dict[str, Callable[[Context, Mapping[str, Any]], Any]] = {
    "list_objects": list_objects,
    "put_object": put_object,
    "delete_object": delete_object,
    "create_snapshot_image": create_snapshot_image,
    "deactivate_image": deactivate_image,
    "reactivate_image": reactivate_image,
}
