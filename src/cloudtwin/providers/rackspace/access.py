"""Who sees which image, and who may act on it (Glance's visibility rules, per region).

Images are region-wide rows `image` keyed `<region>/<uuid>`, owned by the owner's account
(base images by the provider, ""); memberships are region-wide rows `member` keyed
`<region>/<uuid>/<tenant>`, owned by the image owner's account.
"""

from __future__ import annotations

from typing import Any

from ...engine.errors import ApiError
from ...engine.provider import Call, Context
from .common import region_of, tenant_of
from .resources import Image, Member


def image_key(region: str, image_id: str) -> str:
    return f"{region}/{image_id}"


def member_key(region: str, image_id: str, tenant: str) -> str:
    return f"{region}/{image_id}/{tenant}"


def membership(ctx: Context, image: Image, tenant: str) -> Member | None:
    return ctx.region(image.region).find(Member, member_key(image.region, image.image_id, tenant))


def members_of(ctx: Context, image: Image) -> list[Member]:
    prefix = image_key(image.region, image.image_id) + "/"
    by_id = ctx.region(image.region).ordered(Member, "id", _member_id)
    return [row for row in by_id.irange_key(prefix, prefix + "\uffff") if row.id.startswith(prefix)]


def _member_id(row: Member) -> str:
    return row.id


def is_owner(ctx: Context, image: Image) -> bool:
    return ctx.account is not None and image.account == ctx.account.id


def can_see(ctx: Context, image: Image) -> bool:
    """Public, own, or shared with the caller whatever the member status. A `killed` image is
    still shown by id (Glance answers 200 with `status: killed`); see `can_list`."""
    if image.status == "deleted":
        return False
    if image.visibility == "public" or is_owner(ctx, image):
        return True
    return membership(ctx, image, tenant_of(ctx.account)) is not None


# Statuses a list leaves out: deleted images are gone, killed ones are shown only by id.
UNLISTED = frozenset({"deleted", "killed"})


def can_list(ctx: Context, image: Image) -> bool:
    """What a list holds: what the caller can see, less killed images (Glance leaves them out)."""
    return image.status not in UNLISTED and can_see(ctx, image)


def visible_image(call: Call, image_id: str) -> Image:
    """The image as the caller may see it, or 404 (never 403 for an invisible image)."""
    region = region_of(call)
    row = call.region(region).find(Image, image_key(region, image_id))
    if row is None or not can_see(call, row):
        raise ApiError("image_not_found", image_id=image_id)
    return row


def owned_image(call: Call, image_id: str, refusal: str = "image_not_owner", **fields: Any) -> Image:
    """A visible image the caller owns: 404 when invisible, 403 `refusal` when not the owner."""
    row = visible_image(call, image_id)
    if not is_owner(call, row):
        raise ApiError(refusal, image_id=image_id, **fields)
    return row
