"""Custom images: one per snapshot, region-bound, created `creating` then `available`.

Made in any region; only deploying from one is limited to the legacy tier (the deploy schema)."""

from __future__ import annotations

from typing import Any

from ...engine.provider import Context
from ...engine.store import Row
from .common import limit, next_id, require_name_free, require_room, stamp
from . import resources


def require_can_image(ctx: Context, name: str) -> None:
    require_room(ctx, ctx.records.count(resources.Image), limit(ctx, "per_account", "images"), "custom images")
    require_name_free(ctx, resources.Image, name)


def new_image(ctx: Context, snapshot: Row, name: str, description: str | None) -> Row:
    image_id = next_id(ctx, "image")
    row = ctx.records.add(resources.Image, str(image_id), {
        "id": image_id, "name": name, "description": description, "region": snapshot.data["region"],
        "status": "creating", "size": snapshot.data["size"], "snapshot_id": snapshot.data["id"],
        "created_at": stamp(ctx)})
    snapshot.meta["image_id"] = image_id
    ctx.enter(row, "creating")
    return row


def relationship(ctx: Context, snapshot: Row) -> dict[str, Any]:
    image = ctx.records.find(resources.Image, str(snapshot.meta.get("image_id"))) if snapshot.meta.get("image_id") else None
    return {"snapshot_id": snapshot.data["id"], "has_image": image is not None, "image": image.data if image else None}
