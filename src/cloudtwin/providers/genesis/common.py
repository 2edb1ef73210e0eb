"""Small shapes every Genesis handler module uses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

from ...engine import paging
from ...engine.clock import iso
from ...engine.errors import ApiError
from ...engine.provider import Call, Context

if TYPE_CHECKING:  # resources imports this module (region_of)
    from .resources import GenesisResource, Ref


def ref(row: GenesisResource) -> Ref:
    return {"id": row.id, "name": row.name}


def stamp(ctx: Context) -> str:
    return iso(ctx.now)


def touch(row: GenesisResource, ctx: Context) -> None:
    row.updated_at = iso(ctx.now)


def page_of(call: Call, kind: type[GenesisResource], key: str) -> dict[str, Any]:
    """A `page`/`per_page` list answer: `{key: [...], total_count, page, per_page}`."""
    page = int(call.query.get("page", 1))
    per_page = int(call.query.get("per_page", 50))
    rows = call.records.page(kind, (page - 1) * per_page, per_page)
    return {key: [row.data for row in rows], "total_count": call.records.count(kind), "page": page,
            "per_page": per_page}


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


def require_state(row: GenesisResource, allowed: tuple[str, ...], action: str) -> None:
    status = row.status
    if status not in allowed:
        raise ApiError("invalid_state", f"cannot {action} while the {row.kind_name.replace('_', ' ')} is {status}")


def region_of(ctx: Context, name: str) -> dict[str, Any]:
    return ctx.fixtures["regions"]["regions"][name]


def refuse_if_deleting(row: GenesisResource) -> None:
    """A resource on its way out takes no more changes (409, as for instances and volumes)."""
    if row.status == "deleting":
        raise ApiError("invalid_state", f"the {row.kind_name.replace('_', ' ')} is being deleted")


def refresh_refs(ctx: Context, row: GenesisResource) -> None:
    """After a rename: the `{id, name}` references other rows hold to this one show the new name."""
    for kind, holder_id, field in row.holders(ctx):
        holder = ctx.records.find(kind, holder_id)
        if holder is None:
            continue
        value = getattr(holder, field)
        for item in value if isinstance(value, list) else [value]:
            if item and item["id"] == row.id:
                item["name"] = row.name


def start_delete(ctx: Context, row: GenesisResource) -> None:
    """Deletes answer 204 at once; the resource shows `deleting` until its lifecycle removes it."""
    if row.status == "deleting":
        raise ApiError("invalid_state", f"the {row.kind_name.replace('_', ' ')} is already being deleted")
    touch(row, ctx)
    ctx.enter(row, "deleting")
