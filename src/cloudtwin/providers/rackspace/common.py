"""Small shapes every Rackspace module uses: names, tenants, regions, timestamps."""

from __future__ import annotations

from typing import Any, Iterator

from ...engine.clock import iso
from ...engine.provider import Context
from ...engine.store import Account, Row

NAME = "rackspace"
# Owner of Rackspace's own base images: not a twin account, so no client can act as it.
SYSTEM = "_rackspace"


def stamp(ctx: Context) -> str:
    """Glance timestamps: UTC, seconds, `Z` (no fraction)."""
    return iso(ctx.now, millis=False)


def tenant_of(account: Account | None) -> str:
    if account is None:
        return ""
    return str(account.credentials.get(NAME, {}).get("tenant_id", account.id))


def region_of(ctx: Context) -> str:
    """The `{region}` of the images mount this request came through."""
    return str(ctx.request.mount_params["region"])  # type: ignore[attr-defined]


def rows_in_region(ctx: Context, kind: str, region: str) -> Iterator[Row]:
    """Every row of a kind in a region, whichever account owns it (creation order)."""
    return (row for row in ctx.records.table(kind).rows() if row.meta_field("region") == region)


def settings(account: Account | None) -> dict[str, Any]:
    return dict(account.settings.get(NAME, {})) if account else {}
