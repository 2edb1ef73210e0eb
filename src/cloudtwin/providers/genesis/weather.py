"""Operator action `sell_out`: an instance type runs out in a region for a while.

    POST /_twin/providers/genesis/actions/sell_out
    {"region": "NORD-NO-KRS-1", "type": "vcpu-4_memory-16g_nvidia-rtx-3080-1", "for": "1h"}

Meanwhile the availability endpoint shows 0 and a create gets Genesis' own 400 `02045`
(type not available in the region); when the time has passed, the stock is back.
"""

from __future__ import annotations

from typing import Any, Mapping

from ...engine import weather
from ...engine.provider import Context
from . import stock


def sell_out(ctx: Context, arguments: Mapping[str, Any]) -> dict[str, Any]:
    region, instance_type = str(arguments["region"]), str(arguments["type"])
    types = ctx.fixtures["instance_types"]["instance_types"]
    if instance_type not in types or region not in types[instance_type].get("stock", {}):
        raise ValueError(f"{instance_type} is not offered in {region}")
    capacity = int(types[instance_type]["stock"][region])
    return weather.sell_out(ctx, stock._counter(ctx, region, instance_type), capacity, arguments)
