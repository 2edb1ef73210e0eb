"""Account-wide reads: availability, quotas, reservations and the legacy catalogue."""

from __future__ import annotations

from typing import Any

from ....engine.provider import Call, Context
from ..common import page_list
from ..stock import stock_left
from ..usage import instances_by_type, storage_used
from . import handlers


@handlers("getInstanceAvailability")
def get_instance_availability(call: Call) -> dict[str, Any]:
    region = call.path["region"]
    types = []
    for name, info in call.fixtures["instance_types"]["instance_types"].items():
        if region not in info.get("stock", {}):
            continue
        left = stock_left(call, region, name)
        types.append({"type": name, "available": left > 0, "count": left})
    out: dict[str, Any] = {"type": "instances", "region": region, "instance_types": types}
    if "placement" in call.query:
        out["placement"] = call.query["placement"]
    return {"availability": out}


def usage(ctx: Context) -> dict[str, dict[str, int]]:
    """Per quota key and instance type: what the account's live resources use."""
    types = ctx.fixtures["instance_types"]["instance_types"]
    used: dict[str, dict[str, int]] = {}
    for type_name, count in instances_by_type(ctx).items():
        if count <= 0:
            continue
        info = types.get(type_name, {})
        key = info.get("quota", "cpu-instances")
        amount = int(info.get("gpus", 0)) or 1
        used.setdefault(key, {})[type_name] = count * amount
    used["volume_storage"] = {"volume": _storage(ctx)}
    return used


def _storage(ctx: Context) -> int:
    return storage_used(ctx)


def quota_room(ctx: Context, key: str) -> int:
    capacity = int(ctx.fixtures["quotas"]["quotas"].get(key, {}).get("capacity", 0))
    if key == "volume_storage":
        return capacity - _storage(ctx)
    return capacity - sum(usage(ctx).get(key, {}).values())


@handlers("listQuotas")
def list_quotas(call: Call) -> dict[str, Any]:
    used = usage(call)
    quotas = []
    for key, info in call.fixtures["quotas"]["quotas"].items():
        by_flavor = used.get(key, {})
        quotas.append({
            "key": key, "capacity": int(info["capacity"]), "used": sum(by_flavor.values()),
            "flavors": [{"flavor_name": flavor, "product_name": info["product"], "unit": info["unit"], "used": n}
                        for flavor, n in sorted(by_flavor.items())],
        })
    return {"quotas": quotas}


@handlers("listReservations")
def list_reservations(call: Call) -> dict[str, Any]:
    return {"reservations": list(call.fixtures["quotas"].get("reservations") or [])}


@handlers("listCatalog")
def list_catalog(call: Call) -> dict[str, Any]:
    stamp = call.fixtures["images"]["created_at"]
    items = [{**entry, "created_at": stamp, "updated_at": stamp} for entry in call.fixtures["catalog"]["catalog"]]
    return page_list(call, items, "catalog")
