"""How many instances of each type run in each region, across all accounts.

Kept as counters (not counted on demand) so that availability costs the same with ten
instances or a hundred thousand.
"""

from __future__ import annotations

from ...engine.provider import Context
from ...engine.store import Row

SYSTEM = "_genesis"


def _counter(ctx: Context, region: str, instance_type: str) -> Row:
    table = ctx.twin.store.table("genesis", "stock")
    key = f"{region}/{instance_type}"
    row = table.get(key)
    if row is None:
        row = ctx.twin.store.insert("genesis", "stock", SYSTEM, key, {"used": 0})
    return row


def stock_left(ctx: Context, region: str, instance_type: str) -> int:
    capacity = ctx.fixtures["instance_types"]["instance_types"][instance_type].get("stock", {}).get(region, 0)
    return max(0, int(capacity) - _counter(ctx, region, instance_type).data["used"])


def take_stock(ctx: Context, region: str, instance_type: str) -> None:
    _counter(ctx, region, instance_type).data["used"] += 1


def release_stock(ctx: Context, instance: Row) -> None:
    counter = _counter(ctx, instance.data["region"], instance.data["type"])
    counter.data["used"] = max(0, counter.data["used"] - 1)
