"""What a snapshot entering `available` means: its size, its billing, its image."""

from __future__ import annotations

from ...engine.provider import Context
from ...engine.store import Row
from . import billing, images_store, pricing
from .common import currency


def entered(ctx: Context, row: Row, state: str) -> None:
    """INFERRED: a snapshot's size is its instance's boot disk; billed from `available`."""
    if state != "available":
        return
    row.data["size"] = row.meta["boot_size"]
    billing.set_meter(ctx, row, pricing.snapshot_rate(ctx, row.data["size"], currency(ctx)), "available", "snapshot")
    if row.meta.get("is_image") and row.meta.get("image_id") is None:
        images_store.new_image(ctx, row, row.data["name"], row.data["description"])
