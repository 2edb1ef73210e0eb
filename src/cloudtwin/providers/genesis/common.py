"""Small shapes every Genesis handler module uses."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from ...engine import paging
from ...engine.clock import iso
from ...engine.errors import ApiError
from ...engine.provider import Call, Context
from ...engine.store import Row


def ref(row: Row) -> dict[str, str]:
    return {"id": row.id, "name": row.data["name"]}


def stamp(ctx: Context) -> str:
    return iso(ctx.now)


def touch(row: Row, ctx: Context) -> None:
    row.data["updated_at"] = iso(ctx.now)


def page_of(call: Call, kind: str, key: str, rows_filter: Any = None) -> dict[str, Any]:
    """A `page`/`per_page` list answer: `{key: [...], total_count, page, per_page}`."""
    page = int(call.query.get("page", 1))
    per_page = int(call.query.get("per_page", 50))
    result = paging.by_number(call.records.table(kind), call.account.id, page, per_page)  # type: ignore[union-attr]
    return {key: [row.data for row in result.rows], "total_count": result.total, "page": page, "per_page": per_page}


def page_list(call: Call, items: Sequence[Any], key: str, each: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """The same answer over an already-filtered sequence; `each` renders only the page's items
    (rows stay packed unless shown). `page` has no upper bound: Python's integers do not
    overflow, and a page past the end is answered empty without slicing or rendering anything."""
    shown = paging.numbered(items, int(call.query.get("page", 1)), int(call.query.get("per_page", 50)), each)
    return {key: shown.items, "total_count": shown.total, "page": shown.page, "per_page": shown.size}


def is_legacy(ctx: Context) -> bool:
    account = ctx.account
    return bool(account and account.settings.get("genesis", {}).get("legacy"))


def require_current_account(ctx: Context, feature: str) -> None:
    if is_legacy(ctx):
        raise ApiError("feature_unavailable", f"{feature} are not available to legacy accounts")


def require_region(ctx: Context, region: str) -> None:
    """ARC-IS-HAF-1 (`legacy_only`) left the live API in 2025: only legacy accounts may use it."""
    if region_of(ctx, region).get("legacy_only") and not is_legacy(ctx):
        raise ApiError("type_unavailable", f"{region} is only available to legacy accounts")


def require_state(row: Row, allowed: tuple[str, ...], action: str) -> None:
    status = row.data["status"]
    if status not in allowed:
        raise ApiError("invalid_state", f"cannot {action} while the {row.kind.replace('_', ' ')} is {status}")


def region_of(ctx: Context, name: str) -> dict[str, Any]:
    return ctx.fixtures["regions"]["regions"][name]


def refuse_if_deleting(row: Row) -> None:
    """A resource on its way out takes no more changes (409, as for instances and volumes)."""
    if row.data["status"] == "deleting":
        raise ApiError("invalid_state", f"the {row.kind.replace('_', ' ')} is being deleted")


def refresh_refs(ctx: Context, row: Row) -> None:
    """After a rename: the `{id, name}` references other rows hold to this one show the new name."""
    records, data = ctx.records, row.data
    if row.kind == "instance":
        holders = [("volume", v["id"], "instances") for v in data["volumes"]]
        if data["floating_ip"]:
            holders.append(("floating_ip", data["floating_ip"]["id"], "instance"))
    elif row.kind == "volume":
        holders = [("instance", i["id"], "volumes") for i in data["instances"]]
    elif row.kind == "floating_ip":
        holders = [("instance", data["instance"]["id"], "floating_ip")] if data["instance"] else []
    elif row.kind == "security_group":
        holders = [("instance", i, "security_groups") for i in row.meta.get("instances", [])]
    else:  # ssh keys: instances hold them without a back-reference
        holders = [("instance", i.id, "ssh_keys") for i in records.rows("instance")]
    for kind, holder_id, field in holders:
        holder = records.find(kind, holder_id)
        # Read the field first: a scan over every instance must not unpack the ones without the key.
        if holder is None or not _refers_to(holder.field(field), row.id):
            continue
        value = holder.data[field]
        for item in value if isinstance(value, list) else [value]:
            if item and item["id"] == row.id:
                item["name"] = data["name"]


def _refers_to(value: Any, row_id: str) -> bool:
    return any(item and item["id"] == row_id for item in (value if isinstance(value, list) else [value]))


def start_delete(ctx: Context, row: Row) -> None:
    """Deletes answer 204 at once; the resource shows `deleting` until its lifecycle removes it."""
    if row.data["status"] == "deleting":
        raise ApiError("invalid_state", f"the {row.kind.replace('_', ' ')} is already being deleted")
    touch(row, ctx)
    ctx.enter(row, "deleting")
