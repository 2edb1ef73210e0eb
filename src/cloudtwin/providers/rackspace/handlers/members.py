"""Sharing: the owner adds and removes members; only the member sets its own status."""

from __future__ import annotations

from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call
from .. import views
from ..access import is_owner, member_key, members_of, membership, visible_image
from ..common import stamp, tenant_of
from ..resources import Image, Member
from . import operation


def _shareable(call: Call) -> Image:
    """A visible image that can have members (public images cannot: 403)."""
    image = visible_image(call, call.path["image_id"])
    if image.data["visibility"] == "public":
        raise ApiError("public_has_no_members")
    return image


def _member(call: Call, image: Image, member_id: str) -> Member:
    """The membership, as the owner or that member may see it (404 otherwise)."""
    row = membership(call, image, member_id)
    if row is None or not (is_owner(call, image) or member_id == tenant_of(call.account)):
        raise ApiError("member_not_found", member_id=member_id, image_id=image.data["id"])
    return row


@operation("listImageMembers")
def list_image_members(call: Call) -> dict[str, Any]:
    image = _shareable(call)
    rows = members_of(call, image)
    if not is_owner(call, image):
        rows = [row for row in rows if row.data["member_id"] == tenant_of(call.account)]
    return {"members": [views.member(row) for row in rows], "schema": "/v2/schemas/members"}


@operation("createImageMember")
def create_image_member(call: Call) -> dict[str, Any]:
    image = _shareable(call)
    if not is_owner(call, image):
        raise ApiError("member_not_owner")
    member_id = call.body["member"]
    if membership(call, image, member_id) is not None:
        raise ApiError("member_exists", member_id=member_id, image_id=image.data["id"])
    limit = int(call.fixtures["quotas"]["per_image"]["members"])
    if len(members_of(call, image)) + 1 > limit:
        raise ApiError("member_quota", limit=limit)
    now = stamp(call)
    # The caller owns the image (checked above), so the membership is the owner's.
    row = call.region(image.region).add(Member, member_key(image.region, image.image_id, member_id), {
        "member_id": member_id, "image_id": image.image_id, "status": "pending",
        "created_at": now, "updated_at": now,
    })
    return views.member(row)


@operation("getImageMember")
def get_image_member(call: Call) -> dict[str, Any]:
    image = _shareable(call)
    return views.member(_member(call, image, call.path["member_id"]))


@operation("updateImageMember")
def update_image_member(call: Call) -> dict[str, Any]:
    image = _shareable(call)
    member_id = call.path["member_id"]
    # Only the member itself may answer: the owner, or a member naming another, is 403.
    if is_owner(call, image) or member_id != tenant_of(call.account):
        raise ApiError("member_status_forbidden")
    row = _member(call, image, member_id)
    row.data["status"] = call.body["status"]
    row.data["updated_at"] = stamp(call)
    return views.member(row)


@operation("deleteImageMember")
def delete_image_member(call: Call) -> None:
    image = _shareable(call)
    row = _member(call, image, call.path["member_id"])
    if not is_owner(call, image):
        raise ApiError("member_not_owner")
    call.region(image.region).remove(Member, row.id)
