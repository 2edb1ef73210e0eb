"""Provider-wide seed state, per-account ledgers, and what entering or leaving a state does."""

from __future__ import annotations

from ...engine import addresses
from ...engine.provider import Context
from ...engine.store import Row
from . import billing, instance_state, snapshot_state, stock, storage
from .common import NAME, SYSTEM


def setup(ctx: Context) -> None:
    """The JWT signing secret, drawn from the seed at every reset."""
    ctx.twin.store.insert(NAME, "secret", SYSTEM, "jwt", {"key": ctx.ids.token(48)})


def setup_account(ctx: Context) -> None:
    billing.ledger(ctx)


def on_enter(ctx: Context, row: Row, state: str) -> None:
    if row.kind == "instance":
        instance_state.entered(ctx, row, state)
    elif row.kind == "volume":
        storage.entered(ctx, row, state)
    elif row.kind == "snapshot":
        snapshot_state.entered(ctx, row, state)


def on_remove(ctx: Context, row: Row) -> None:
    """A deleted instance frees its GPUs and firewalls; its own boot disk goes, other volumes stay."""
    if row.kind != "instance":
        return
    billing.stop_meter(ctx, row)
    stock.release(ctx, row)
    addresses.release(ctx, row, ("public", row.data["floating_ip"]), ("private", row.data["fixed_ip"]))
    boot_id = row.meta.get("boot_volume_id")
    for volume_id in [boot_id, *row.meta.get("data_volume_ids", [])]:
        volume = ctx.records.find("volume", str(volume_id)) if volume_id else None
        if volume is None:
            continue
        storage.detach(ctx, volume, row)
        if volume_id == boot_id and row.meta.get("boot_owned"):
            storage.delete(ctx, volume)
    for firewall in ctx.records.rows("firewall"):
        link_id = firewall.meta.get("attachments", {}).pop(row.id, None)
        if link_id is not None:
            ctx.records.remove("firewall_attachment", str(link_id))
    for snapshot in ctx.records.rows("snapshot"):
        if snapshot.field("instance_id") == row.id:
            snapshot.data["instance_id"] = None
