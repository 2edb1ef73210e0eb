"""Prices in the account's (or a chosen) currency: GPUs, storage, snapshots, hibernation."""

from __future__ import annotations

from typing import Any

from ...engine.provider import Context
from .common import tier


def gpu_price(ctx: Context, model: str, cur: str) -> float:
    return float(ctx.fixtures["gpus"]["models"][model]["prices"][cur])


def storage_per_tb_hour(ctx: Context, volume_type: str, cur: str) -> float:
    return float(ctx.fixtures["prices"]["storage"][volume_type][cur])


def storage_rate(ctx: Context, volume_type: str, size_gb: int, cur: str) -> float:
    """Hourly cost of a volume: size in TB (1 TB = 1024 GB) times the per-TB-hour rate."""
    return size_gb / float(ctx.fixtures["prices"]["gb_per_tb"]) * storage_per_tb_hour(ctx, volume_type, cur)


def snapshot_rate(ctx: Context, size_gb: int, cur: str) -> float:
    return size_gb * float(ctx.fixtures["prices"]["snapshot_per_gb_hour"][cur])


def volume_rate_view(ctx: Context, volume_type: str, tier_name: str, cur: str) -> dict[str, Any]:
    hourly = storage_per_tb_hour(ctx, volume_type, cur)
    return {"volume_type": volume_type, "tier": tier_name, "currency": cur, "price_per_tb_hour": hourly,
            "price_per_tb_month": round(hourly * ctx.fixtures["prices"]["hours_per_month"], 4)}


def gpu_price_view(ctx: Context, region: str, model: str, cur: str) -> dict[str, Any]:
    hourly = gpu_price(ctx, model, cur)
    return {"gpu_model": model, "region": region, "tier": tier(ctx, region), "currency": cur,
            "price_per_gpu_hour": hourly, "price_per_gpu_minute": round(hourly / 60, 4),
            "price_per_gpu_month": round(hourly * ctx.fixtures["prices"]["hours_per_month"], 4)}
