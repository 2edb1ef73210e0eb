"""Bringing up an instance (deploy and snapshot restore): the row, its boot disk, its stock."""

from __future__ import annotations

from typing import Any

from ...engine.errors import ApiError
from ...engine.provider import Context
from ...engine.store import Row
from . import billing, stock, storage
from .resources import Instance
from .common import limit, region, require_name_free, require_profile, stamp, tier


def require_can_launch(ctx: Context, *, name: str, region_code: str, model: str, count: int) -> None:
    """Account-level checks shared by deploy and restore (409s, in the spec's order)."""
    require_profile(ctx)
    billing.require_credit(ctx)
    cap = limit(ctx, "per_account", "instances")
    if ctx.records.count(Instance) >= cap:
        raise ApiError("limit_reached", f"At most {cap} instances per account.")
    cap = limit(ctx, "per_region", "instances")
    if sum(1 for r in ctx.records.rows(Instance) if r.region == region_code) >= cap:
        raise ApiError("limit_reached", f"At most {cap} instances in {region_code}.")
    require_name_free(ctx, Instance, name, live_only=True)
    stock.require_stock(ctx, region_code, model, count)


def new_deployment_id(ctx: Context) -> str:
    """`DEP` + 7 seeded digits, unique across the twin."""
    while True:
        candidate = "DEP" + ctx.ids.digits(7)
        if ctx.records.id_free(Instance, candidate):
            return candidate


def launch(ctx: Context, *, name: str, region_code: str, model: str, count: int, boot_source: str,
           image: dict[str, Any] | None, public_ip: bool, ssh_key_ids: list[int] | None = None,
           startup_script_id: int | None = None, security_rules: list[dict[str, Any]] | None = None,
           jupyter: bool = False) -> Row:
    """An instance in CREATING, holding its GPUs; billing starts when it becomes ACTIVE."""
    instance_id = new_deployment_id(ctx)
    now = stamp(ctx)
    row = ctx.records.add(Instance, instance_id, {
        "id": instance_id, "name": name, "region": region_code, "tier": tier(ctx, region_code),
        "status": "CREATING", "gpu_model": model, "gpu_count": count, "server_uuid": None, "fixed_ip": None,
        "floating_ip": None, "floating_ip_status": "DETACHED", "created_at": now, "updated_at": now,
        "boot_source": boot_source, "image": image, "ssh_key_ids": ssh_key_ids or [],
        "startup_script_id": startup_script_id, "security_rules": security_rules or [], "jupyter_url": None,
    }, {"public_ip": public_ip, "jupyter": jupyter, "boot_volume_id": None, "data_volume_ids": [],
        "attach_status": region(ctx, region_code)["attach_volumes_instance_status"], "firewalls": []})
    stock.take(ctx, row)
    ctx.enter(row, "CREATING")
    return row


def boot_disk(ctx: Context, instance: Row, *, size: int, os_image_id: int | None) -> Row:
    """A boot volume made for the instance (public or custom image): deleted with it."""
    volume_type = region(ctx, instance.data["region"])["boot_volume"]["os_image"]["volume_type"]
    volume = storage.new_volume(ctx, name=_boot_name(ctx, instance), region=instance.data["region"], size=size,
                                volume_type=volume_type, bootable=True, os_image_id=os_image_id)
    storage.attach(ctx, volume, instance, boot=True)
    instance.meta["boot_owned"] = True
    return volume


def _boot_name(ctx: Context, instance: Row) -> str:
    """`<instance id>-boot`: deployment ids are unique, so the name is free in every region."""
    return f"{instance.id}-boot"
