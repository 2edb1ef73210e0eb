"""One image: show, delete, and the Glance routes Rackspace does not offer to customers."""

from __future__ import annotations

from typing import Any, NoReturn

from ....engine.errors import ApiError
from ....engine.provider import Call
from .. import views
from ..access import members_of, owned_image, visible_image
from ..resources import Image, Member
from . import operation


@operation("getImage")
def get_image(call: Call) -> dict[str, Any]:
    return views.image(visible_image(call, call.path["image_id"]))


@operation("deleteImage")
def delete_image(call: Call) -> None:
    image = owned_image(call, call.path["image_id"], refusal="image_delete_forbidden")
    if image.data.get("protected"):
        raise ApiError("image_protected", image_id=image.data["id"])
    # Users never see `deleted`: the image and every membership of it go at once.
    region = call.region(image.region)
    for member in members_of(call, image):
        region.remove(Member, member.id)
    region.remove(Image, image.id)


@operation("createImage")
def create_image(call: Call) -> NoReturn:
    raise ApiError("image_create_not_offered")


@operation("uploadImageFile")
def upload_image_file(call: Call) -> NoReturn:
    raise ApiError("image_upload_not_offered")


@operation("downloadImageFile")
def download_image_file(call: Call) -> NoReturn:
    raise ApiError("image_download_not_offered")


@operation("deactivateImage")
def deactivate_image(call: Call) -> NoReturn:
    # Every twin account is a customer; only Rackspace operators may deactivate.
    visible_image(call, call.path["image_id"])
    raise ApiError("deactivate_forbidden")


@operation("reactivateImage")
def reactivate_image(call: Call) -> NoReturn:
    visible_image(call, call.path["image_id"])
    raise ApiError("reactivate_forbidden")
