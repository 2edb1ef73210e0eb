"""Operator action `sell_out`: a GPU configuration runs out in a region for a while.

    POST /_twin/providers/barrack/actions/sell_out
    {"region": "FINLAND-3", "gpu_model": "H200-SXM5-141GB", "gpu_count": 1, "for": "2h"}

Deploys meanwhile get Barrack's own 409 `out_of_stock`, and the stock page shows 0 (or what
is left with `take: N`); when the time has passed, the stock is back.
"""

from __future__ import annotations

from typing import Any, Mapping

from ...engine import weather
from ...engine.provider import Context
from . import stock


def sell_out(ctx: Context, arguments: Mapping[str, Any]) -> dict[str, Any]:
    region, model, count = str(arguments["region"]), str(arguments["gpu_model"]), int(arguments.get("gpu_count", 1))
    capacity = stock.capacity(ctx, region, model, count)
    if capacity is None:
        raise ValueError(f"{model} is not offered in {region}")
    return weather.sell_out(ctx, stock._counter(ctx, region, model, count), capacity, arguments)
