"""Who sees which image, and who may act on it (Glance's visibility rules, per region).

Images are rows `image` keyed `<region>/<uuid>`, owned by the owner's account (base images
by SYSTEM); memberships are rows `member` keyed `<region>/<uuid>/<tenant>`, owned by the
image owner's account.
"""

from __future__ import annotations

from typing import Any

from ...engine.errors import ApiError
from ...engine.provider import Call, Context
from ...engine.store import Row
from .common import region_of, tenant_of


def image_key(region: str, image_id: str) -> str:
    return f"{region}/{image_id}"


def member_key(region: str, image_id: str, tenant: str) -> str:
    return f"{region}/{image_id}/{tenant}"


def membership(ctx: Context, image: Row, tenant: str) -> Row | None:
    return ctx.records.table("member").get(member_key(image.meta_field("region"), image.field("id"), tenant))


def members_of(ctx: Context, image: Row) -> list[Row]:
    prefix = image_key(image.meta["region"], image.data["id"]) + "/"
    return [row for row in ctx.records.table("member").rows(image.account) if row.id.startswith(prefix)]


def is_owner(ctx: Context, image: Row) -> bool:
    return ctx.account is not None and image.account == ctx.account.id


def can_see(ctx: Context, image: Row) -> bool:
    """Public, own, or shared with the caller whatever the member status. A `killed` image is
    still shown by id (Glance answers 200 with `status: killed`); see `can_list`."""
    # By field: listings test every image of a region this way, and must not unpack them all.
    if image.field("status") == "deleted":
        return False
    if image.field("visibility") == "public" or is_owner(ctx, image):
        return True
    return membership(ctx, image, tenant_of(ctx.account)) is not None


def can_list(ctx: Context, image: Row) -> bool:
    """What a list holds: what the caller can see, less killed images (Glance leaves them out)."""
    return image.field("status") != "killed" and can_see(ctx, image)


def visible_image(call: Call, image_id: str) -> Row:
    """The image as the caller may see it, or 404 (never 403 for an invisible image)."""
    row = call.records.table("image").get(image_key(region_of(call), image_id))
    if row is None or not can_see(call, row):
        raise ApiError("image_not_found", image_id=image_id)
    return row


def owned_image(call: Call, image_id: str, refusal: str = "image_not_owner", **fields: Any) -> Row:
    """A visible image the caller owns: 404 when invisible, 403 `refusal` when not the owner."""
    row = visible_image(call, image_id)
    if not is_owner(call, row):
        raise ApiError(refusal, image_id=image_id, **fields)
    return row
