"""GPU stock per region, model and count, shared by every account.

Kept as counters of what is in use, so availability is one subtraction. Deploy and restore
take one; hibernate and delete give it back (fixtures/barrack/gpus.yaml).
"""

from __future__ import annotations

from ...engine.counters import counter
from ...engine.errors import ApiError
from ...engine.provider import Context
from . import resources


def _counter(ctx: Context, region: str, model: str, count: int) -> resources.Stock:
    return counter(ctx, resources.Stock, f"{region}/{model}/{count}", lambda: {"used": 0})


def capacity(ctx: Context, region: str, model: str, count: int) -> int | None:
    """None when the region does not offer the model at all."""
    offered = ctx.fixtures["gpus"]["stock"].get(region, {}).get(model)
    return None if offered is None else int(offered.get(count, offered.get(str(count), 0)))


def left(ctx: Context, region: str, model: str, count: int) -> int:
    cap = capacity(ctx, region, model, count) or 0
    return max(0, cap - _counter(ctx, region, model, count).used)


def require_stock(ctx: Context, region: str, model: str, count: int) -> None:
    if capacity(ctx, region, model, count) is None:
        raise ApiError("not_offered", f"{model} is not offered in {region}.")
    if left(ctx, region, model, count) <= 0:
        raise ApiError("out_of_stock", f"{model} x{count} is out of stock in {region}.")


def take(ctx: Context, instance: resources.Instance) -> None:
    _counter(ctx, instance.region, instance.gpu_model, instance.gpu_count).used += 1
    instance.meta["holds_stock"] = True


def release(ctx: Context, instance: resources.Instance) -> None:
    if instance.meta.pop("holds_stock", False):
        counter = _counter(ctx, instance.region, instance.gpu_model, instance.gpu_count)
        counter.used = max(0, counter.used - 1)
