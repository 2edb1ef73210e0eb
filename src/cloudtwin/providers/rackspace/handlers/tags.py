"""Image tags: adding is idempotent, removing an absent tag is 404 (Glance)."""

from __future__ import annotations

from ....engine.errors import ApiError
from ....engine.provider import Call
from ..access import owned_image
from ..common import stamp
from . import operation

# Glance's router refuses tags holding these (`/`, `?` and `#` never reach a route at all).
UNROUTABLE = frozenset(":*@!")


def _tag(call: Call) -> str:
    tag = call.path["tag"]
    if UNROUTABLE & set(tag):
        raise ApiError("route_not_found")
    return tag


@operation("addImageTag")
def add_image_tag(call: Call) -> None:
    tag = _tag(call)
    image = owned_image(call, call.path["image_id"])
    tags = list(image.data.get("tags") or [])
    if tag in tags:
        return
    limit = int(call.fixtures["quotas"]["per_image"]["tags"])
    if len(tags) + 1 > limit:
        raise ApiError("tag_quota", limit=limit, count=len(tags) + 1)
    image.data["tags"] = tags + [tag]
    image.data["updated_at"] = stamp(call)


@operation("deleteImageTag")
def delete_image_tag(call: Call) -> None:
    tag = _tag(call)
    image = owned_image(call, call.path["image_id"])
    tags = list(image.data.get("tags") or [])
    if tag not in tags:
        raise ApiError("tag_not_found", tag=tag, image_id=image.data["id"])
    image.data["tags"] = [t for t in tags if t != tag]
    image.data["updated_at"] = stamp(call)
