"""Images: the public catalogue from fixtures, plus how an instance's `image` is resolved."""

from __future__ import annotations

from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call, Context
from ..common import page_list
from ..resources import Snapshot
from . import handlers

PUBLIC_FIELDS = ("id", "type", "family", "name", "os_type", "slug", "versions", "regions")


def catalogue(ctx: Context) -> list[dict[str, Any]]:
    return ctx.fixtures["images"]["images"]


def public_view(ctx: Context, image: dict[str, Any]) -> dict[str, Any]:
    stamp = ctx.fixtures["images"]["created_at"]
    return {**{k: image[k] for k in PUBLIC_FIELDS}, "created_at": stamp, "updated_at": stamp}


@handlers("listImages")
def list_images(call: Call) -> dict[str, Any]:
    wanted = call.query.get("type")
    items: list[Any] = [image for image in catalogue(call) if wanted in (None, image["type"])]
    if wanted in (None, "snapshot"):
        # Rows, not bodies: only the page's snapshots are unpacked and rendered.
        items += [row for row in call.records.rows(Snapshot) if row.status == "created"]
    return page_list(call, items, "images",
                     lambda item: public_view(call, item) if isinstance(item, dict) else _snapshot_as_image(item.data))


def _snapshot_as_image(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": snapshot["id"], "type": "snapshot", "family": None, "name": snapshot["name"],
        "os_type": snapshot["os_type"], "slug": None, "versions": [], "regions": [snapshot["region"]],
        "created_at": snapshot["created_at"], "updated_at": snapshot["updated_at"],
    }


def resolve_image(ctx: Context, reference: str) -> dict[str, Any]:
    """An image id, a slug, `slug:version`, or one of the account's snapshot ids.

    Returns `{id, name, os_type, regions, accelerators}`; snapshots run on any type.
    """
    slug, _, version = reference.partition(":")
    for image in catalogue(ctx):
        if image["id"] == reference or (image["slug"] == slug and (not version or version in (image["versions"] or []))):
            return {k: image[k] for k in ("id", "name", "os_type", "regions", "accelerators")}
    snapshot = ctx.records.find(Snapshot, reference)
    if snapshot is not None:
        if snapshot.status != "created":
            raise ApiError("invalid_state", f"snapshot {reference} is {snapshot.status}, not created")
        return {"id": snapshot.id, "name": snapshot.name, "os_type": snapshot.os_type,
                "regions": [snapshot.region], "accelerators": None}
    raise ApiError("unknown_reference", f"image {reference} does not exist")
