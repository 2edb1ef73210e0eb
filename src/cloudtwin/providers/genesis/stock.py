"""How many instances of each type run in each region, across all accounts.

Kept as counters (not counted on demand) so that availability costs the same with ten
instances or a hundred thousand. The counters are provider-wide (`ctx.shared`).
"""

from __future__ import annotations

from ...engine.counters import counter
from ...engine.provider import Context
from . import resources


def _counter(ctx: Context, region: str, instance_type: str) -> resources.Stock:
    return counter(ctx, resources.Stock, f"{region}/{instance_type}", lambda: {"used": 0})


def stock_left(ctx: Context, region: str, instance_type: str) -> int:
    capacity = ctx.fixtures["instance_types"]["instance_types"][instance_type].get("stock", {}).get(region, 0)
    return max(0, int(capacity) - _counter(ctx, region, instance_type).used)


def take_stock(ctx: Context, region: str, instance_type: str) -> None:
    _counter(ctx, region, instance_type).used += 1


def release_stock(ctx: Context, instance: resources.Instance) -> None:
    counter = _counter(ctx, instance.region, instance.type)
    counter.used = max(0, counter.used - 1)
