"""PATCH /v2/images/{id}: check the whole patch, then save once."""

from __future__ import annotations

from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call
from .. import jsonpatch, views
from ..access import owned_image
from ..common import stamp
from . import operation


@operation("updateImage")
def update_image(call: Call) -> dict[str, Any]:
    image = owned_image(call, call.path["image_id"])
    rules = jsonpatch.Rules(call.fixtures["protected_properties"], call.fixtures["schemas/image"])
    ops = jsonpatch.operations(call.body, call.media_type)
    patched = jsonpatch.apply(image.data, ops, rules, media_type=call.media_type)
    limit = int(call.fixtures["quotas"]["per_image"]["properties"])
    before = jsonpatch.extra_count(image.data, rules)
    after = jsonpatch.extra_count(patched, rules)
    if after > limit and after > before:
        raise ApiError("property_quota", limit=limit, count=after)
    if patched != image.data:
        patched["updated_at"] = stamp(call)
    image.data.clear()
    image.data.update(patched)
    return views.image(image)
