"""GET /v2/images: what the caller may see, Glance's filters and sort, marker pages."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, Container

from ....engine import paging
from ....engine.errors import ApiError
from ....engine.provider import Call
from .. import views
from ..access import UNLISTED, can_list, can_see, image_key, is_owner, membership
from ..common import link_root, region_of, tenant_of
from ..resources import Image
from ..query import choices, links, page_size, sort_spec, sorted_rows, time_filter
from . import operation

# Query keys with a meaning of their own; every other key filters on an extra property.
RESERVED_KEYS = frozenset({"limit", "marker", "name", "id", "visibility", "member_status", "owner", "status",
                           "container_format", "disk_format", "tag", "size_min", "size_max", "created_at",
                           "updated_at", "sort_key", "sort_dir", "sort"})
CHOICE_KEYS = ("name", "id", "status", "container_format", "disk_format")
Keep = Callable[[Image], bool]


# Filters bound to a key with functools.partial (a lambda with default arguments has no type).
def _field_in(key: str, accepted: Container[Any], row: Image) -> bool:
    return row.field(key) in accepted


def _field_matches(key: str, matches: Callable[[Any], bool], row: Image) -> bool:
    return matches(row.field(key))


def _field_is(key: str, value: Any, row: Image) -> bool:
    return bool(row.field(key) == value)


def _scope(call: Call) -> Keep:
    """Which visible images the list holds: Glance's visibility and member_status rules."""
    visibility = call.query.get("visibility")
    wanted = call.query.get("member_status", "accepted")
    tenant = tenant_of(call.account)

    def shared(row: Image) -> bool:
        member = membership(call, row, tenant)
        return member is not None and (wanted == "all" or member.status == wanted)

    if visibility == "public":
        return lambda row: row.visibility == "public"
    if visibility == "private":
        return lambda row: row.visibility == "private" and is_owner(call, row)
    if visibility == "shared":
        return lambda row: not is_owner(call, row) and shared(row)
    return lambda row: row.visibility == "public" or is_owner(call, row) or shared(row)


def _filters(call: Call) -> list[Keep]:
    query = call.query
    raw = call.request.raw_query
    if "changes-since" in raw:
        raise ApiError("changes_since_removed")
    keep: list[Keep] = [_scope(call)]
    if "owner" in query:
        keep.append(lambda row: row.owner == query["owner"])
    for key in CHOICE_KEYS:
        if key in query:
            accepted = choices(str(query[key]))
            keep.append(partial(_field_in, key, accepted))
    if query.get("tag"):
        tags = set(query["tag"])
        keep.append(lambda row: tags <= set(Image.tags.peek(row) or []))
    if "size_min" in query:
        keep.append(lambda row: row.size is not None and row.size >= query["size_min"])
    if "size_max" in query:
        keep.append(lambda row: row.size is not None and row.size <= query["size_max"])
    for key in ("created_at", "updated_at"):
        if key in query:
            matches = time_filter(str(query[key]), key)
            keep.append(partial(_field_matches, key, matches))
    for key, values in raw.items():
        if key not in RESERVED_KEYS:
            keep.append(partial(_field_is, key, values[-1]))
    return keep


# Glance's default order (created_at, then id, one direction) is a secondary index of the image
# table: a page under it walks from the marker and stops when full, whatever the table holds.
_UNSET = (0, "")
INDEXED_ORDER = True  # tests switch it off to compare with the general path


def _created_order(row: Image) -> tuple[Any, ...]:
    created = row.created_at
    return (row.region, _UNSET if created is None else (1, created), row.image_id)


def _indexed_page(call: Call, region: str, direction: str, keep: list[Keep], marker: str | None,
                  limit: int) -> list[Image]:
    images = call.region(region)
    order = images.ordered(Image, "region_created_id", _created_order)
    low, high = (region,), (region, (2,))
    inclusive = (True, True)
    if marker:
        marker_row = images.find(Image, image_key(region, marker))
        if marker_row is None or not can_see(call, marker_row):
            raise ApiError("marker_not_found", marker=marker)
        if direction == "asc":
            low, inclusive = _created_order(marker_row), (False, True)
        else:
            high, inclusive = _created_order(marker_row), (True, False)
    page: list[Image] = []
    if limit <= 0:
        return page
    # `keep` opens with the visibility scope (`_filters`), which admits only images the caller
    # can see: of `can_list`, only the status is left to test.
    for row in order.irange_key(low, high, inclusive=inclusive, reverse=direction != "asc"):
        if row.status in UNLISTED:
            continue
        for test in keep:  # a plain loop: a generator per row costs more than the tests themselves
            if not test(row):
                break
        else:
            page.append(row)
            if len(page) == limit:
                break
    return page


@operation("listImages")
def list_images(call: Call) -> dict[str, Any]:
    region = region_of(call)
    pairs = sort_spec(call.query)
    keep = _filters(call)
    if INDEXED_ORDER and [key for key, _ in pairs] == ["created_at", "id"] and pairs[0][1] == pairs[1][1] in ("asc", "desc"):
        limit = page_size(call.query, call.fixtures["quotas"]["pagination"]["images"])
        page = _indexed_page(call, region, pairs[0][1], keep, call.query.get("marker"), limit)
        return {"images": [views.image(row) for row in page],
                **links("images", call.request.query_string, page, limit, link_root(call)), "schema": "/v2/schemas/images"}
    visible = [row for row in call.region(region).rows(Image) if can_see(call, row)]
    chosen = [row for row in visible if can_list(call, row) and all(test(row) for test in keep)]
    marker = call.query.get("marker")
    if marker:
        # The marker must be an image the caller can see; it need not match the filters.
        marker_row = next((row for row in visible if row.image_id == marker), None)
        if marker_row is None:
            raise ApiError("marker_not_found", marker=marker)
        if marker_row not in chosen:
            chosen.append(marker_row)
    limit = page_size(call.query, call.fixtures["quotas"]["pagination"]["images"])
    shown = paging.after_marker(sorted_rows(chosen, pairs), marker, limit, marker_error="marker_not_found")
    return {"images": [views.image(row) for row in shown],
            **links("images", call.request.query_string, shown, limit, link_root(call)), "schema": "/v2/schemas/images"}
