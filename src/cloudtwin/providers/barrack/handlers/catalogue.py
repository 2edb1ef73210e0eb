"""Fixed catalogues: regions, GPU stock and specs, prices and quotes, OS images, protocols."""

from __future__ import annotations

from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call
from .. import pricing, stock
from ..common import currency, paged, region, stamp, tier
from . import handlers


@handlers("listRegions")
def list_regions(call: Call) -> dict[str, Any]:
    wanted = call.query.get("tier")
    keys = ("code", "name", "country", "tier", "available", "capabilities")
    return {"regions": [{k: r[k] for k in keys} for r in call.fixtures["regions"]["regions"]
                        if wanted in (None, r["tier"])]}


@handlers("getGpuStocks")
def get_gpu_stocks(call: Call) -> dict[str, Any]:
    items = []
    for code, models in call.fixtures["gpus"]["stock"].items():
        if call.query.get("region") not in (None, code):
            continue
        for model, counts in models.items():
            if call.query.get("gpu_model") not in (None, model):
                continue
            configurations = []
            for count in counts:
                n = stock.left(call, code, model, int(count))
                configurations.append({"gpu_count": int(count), "available": n > 0, "available_count": n})
            items.append({"region": code, "tier": tier(call, code), "gpu_model": model,
                          "available": any(c["available"] for c in configurations), "configurations": configurations})
    return {"stocks": items, "updated_at": stamp(call)}


@handlers("getGpuSpecs")
def get_gpu_specs(call: Call) -> dict[str, Any]:
    gpus = []
    for model, info in call.fixtures["gpus"]["models"].items():
        if call.query.get("gpu_model") not in (None, model):
            continue
        memory = info["metadata"]["gpu_memory_gb"]
        configurations = [{"gpu_count": int(n), **spec, "gpu_memory_gb": memory * int(n)}
                          for n, spec in info["configurations"].items()]
        gpus.append({"gpu_model": model, "metadata": info["metadata"], "configurations": configurations})
    return {"gpus": gpus}


@handlers("getPricing")
def get_pricing(call: Call) -> dict[str, Any]:
    cur = call.query.get("currency") or currency(call)
    prices = [pricing.gpu_price_view(call, code, model, cur)
              for code, models in call.fixtures["gpus"]["stock"].items() for model in models
              if call.query.get("region") in (None, code) and call.query.get("gpu_model") in (None, model)]
    rates = [pricing.volume_rate_view(call, t["name"], group["tier"], cur)
             for group in call.fixtures["volume_types"]["tiers"] for t in group["types"]]
    return {"currency": cur, "gpu_prices": prices, "volume_rates": rates,
            "snapshot_price_per_gb_hour": float(call.fixtures["prices"]["snapshot_per_gb_hour"][cur]),
            "hibernation_price_per_hour": float(call.fixtures["prices"]["hibernated_instance_per_hour"][cur])}


@handlers("quotePricing")
def quote_pricing(call: Call) -> dict[str, Any]:
    body = call.body
    code, model, count = body["region"], body["gpu_model"], body["gpu_count"]
    if stock.capacity(call, code, model, count) is None:
        raise ApiError("not_offered", f"{model} is not offered in {code}.")
    cur = body.get("currency") or currency(call)
    boot_type = region(call, code)["boot_volume"]["os_image"]["volume_type"]
    per_gpu = pricing.gpu_price(call, model, cur)
    hourly = {
        "gpu": per_gpu * count,
        "boot_volume": pricing.storage_rate(call, boot_type, body.get("boot_volume_size", 100), cur),
        "data_volumes": sum(pricing.storage_rate(call, v["volume_type"], v["size"], cur)
                            for v in body.get("volumes", [])),
    }
    hours = call.fixtures["prices"]["hours_per_month"]
    breakdown = lambda factor: {**{k: round(v * factor, 4) for k, v in hourly.items()},  # noqa: E731
                                "total": round(sum(hourly.values()) * factor, 4)}
    return {"region": code, "tier": tier(call, code), "gpu_model": model, "gpu_count": count, "currency": cur,
            "price_per_gpu_hour": per_gpu, "hourly": breakdown(1), "monthly": breakdown(hours)}


@handlers("listOsImages")
def list_os_images(call: Call) -> dict[str, Any]:
    images = [i for i in call.fixtures["os_images"]["images"] if call.query.get("region") in (None, i["region"])]
    return paged(call, "images", images)


@handlers("listVolumeTypes")
def list_volume_types(call: Call) -> dict[str, Any]:
    cur = call.query.get("currency") or currency(call)
    wanted_tier, wanted_region = call.query.get("tier"), call.query.get("region")
    groups = []
    for group in call.fixtures["volume_types"]["tiers"]:
        if wanted_tier not in (None, group["tier"]) or wanted_region not in (None, *group["regions"]):
            continue
        types = [{**t, "rate": pricing.volume_rate_view(call, t["name"], group["tier"], cur)} for t in group["types"]]
        groups.append({"tier": group["tier"], "regions": group["regions"], "types": types})
    return {"volume_types": groups}


@handlers("listFirewallProtocols")
def list_firewall_protocols(call: Call) -> dict[str, Any]:
    return {"protocols": call.fixtures["firewall_protocols"]["protocols"]}
