"""Small shapes every Barrack handler module uses: ids, regions, money, pages, names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, TypeVar, overload

from ...engine import paging
from ...engine.clock import iso
from ...engine.counters import counter
from ...engine.errors import ApiError
from ...engine.provider import Call, Context
from ...engine.store import Row

if TYPE_CHECKING:  # resources' behaviour imports this module
    from .resources import Named

NAME = "barrack"
R = TypeVar("R", bound=Row)
TRANSITIONAL = ("CREATING", "STARTING", "STOPPING", "REBOOTING", "HIBERNATING", "RESTORING", "DELETING")


def stamp(ctx: Context) -> str:
    return iso(ctx.now, millis=False)


def next_id(ctx: Context, kind: str) -> int:
    """Django-style auto-increment primary keys, one sequence per kind, shared by all accounts
    (the `counter` kind is declared provider-wide)."""
    row = counter(ctx, "counter", kind, lambda: {"last": 0})
    row.data["last"] += 1
    return int(row.data["last"])


def money(value: float) -> float:
    """Amounts on the wire: 4 decimals (the ledger itself stays exact)."""
    return round(value + 0.0, 4)


def currency(ctx: Context) -> str:
    return str(ctx.account.credentials[NAME].get("currency", "USD"))  # type: ignore[union-attr]


def setting(ctx: Context, key: str, default: Any) -> Any:
    return (ctx.account.settings.get(NAME, {}) if ctx.account else {}).get(key, default)


# Regions --------------------------------------------------------------------------
def region(ctx: Context, code: str) -> dict[str, Any]:
    return next(r for r in ctx.fixtures["regions"]["regions"] if r["code"] == code)


def tier(ctx: Context, code: str) -> str:
    return str(region(ctx, code)["tier"])


def is_advanced(ctx: Context, code: str) -> bool:
    return tier(ctx, code) == "advanced"


def limit(ctx: Context, group: str, key: str) -> int:
    return int(ctx.fixtures["limits"][group][key])


# Lookups ---------------------------------------------------------------------------
@overload
def owned(call: Call, kind: type[R], row_id: Any, what: str) -> R: ...
@overload
def owned(call: Call, kind: str, row_id: Any, what: str) -> Row: ...


def owned(call: Call, kind: Any, row_id: Any, what: str) -> Any:
    """A row of the caller's, or 404 (an id in the path or the body that names nothing)."""
    return call.records.get(kind, str(row_id), message=f"{what} {row_id} not found.")


def require_name_free(ctx: Context, kind: type[Named], name: str, *, exclude: str | None = None,
                      live_only: bool = False) -> None:
    """Names are unique per kind in an account; `live_only`: a row being deleted frees its name."""
    for row in ctx.records.rows(kind):
        if row.id == exclude or row.name != name:
            continue
        if live_only and getattr(row, "status", None) == "DELETING":
            continue
        raise ApiError("name_taken", f"A {kind.kind_name.replace('_', ' ')} named {name!r} already exists.")


def require_room(ctx: Context, count: int, cap: int, what: str) -> None:
    if count >= cap:
        raise ApiError("limit_reached", f"At most {cap} {what}.")


def require_profile(ctx: Context) -> None:
    if not setting(ctx, "profile_complete", True):
        raise ApiError("profile_incomplete")


# Pages -----------------------------------------------------------------------------
def paged(call: Call, key: str, items: list[Any], each: Callable[[Any], Any] | None = None,
          **extra: Any) -> dict[str, Any]:
    """`{key: [...], "pagination": {...}}` over an already filtered list, newest first by caller;
    `each` turns an item into its body, for the page's items only."""
    size = int(call.query.get("page_size", call.fixtures["limits"]["pagination"]["default_page_size"]))
    shown = paging.numbered(items, int(call.query.get("page", 1)), size, each)
    return {**extra, key: shown.items, "pagination": {"page": shown.page, "page_size": shown.size,
                                                      "total": shown.total, "total_pages": shown.pages}}


def matches(call: Call, **values: Any) -> bool:
    """A row with these values (`region=row.region`) passes the list filters the caller gave."""
    return all(call.query.get(key) in (None, value) for key, value in values.items())


def newest_first(rows: Iterable[R]) -> list[R]:
    return sorted(rows, key=lambda r: r.seq, reverse=True)


def message(text: str, **body: Any) -> dict[str, Any]:
    return {"message": text, **body}
