"""How rows are shown: the stored fields plus what is computed (prices, operations, links)."""

from __future__ import annotations

from typing import Any

from ...engine.provider import Context
from ...engine.store import Row
from . import billing
from .common import currency, money
from .instance_state import operations
from .resources import Instance, Volume

INSTANCE_FIELDS = ("id", "name", "region", "tier", "status", "gpu_model", "gpu_count", "server_uuid",
                   "fixed_ip", "floating_ip", "floating_ip_status", "created_at")


def attached_volumes(ctx: Context, instance: Row) -> list[Row]:
    ids = ([instance.meta["boot_volume_id"]] if instance.meta.get("boot_volume_id") else []) + \
        list(instance.meta.get("data_volume_ids", []))
    rows = (ctx.records.find(Volume, str(v)) for v in ids)
    return [r for r in rows if r is not None]


def instance(ctx: Context, row: Row, volumes: list[Row] | None = None) -> dict[str, Any]:
    """VMInstance: the list shape (`volumes`: the attached ones, when the caller has them)."""
    data = row.data
    out = {k: data[k] for k in INSTANCE_FIELDS}
    if volumes is None:
        volumes = attached_volumes(ctx, row)
    hourly = billing.current_rate(row) + sum(billing.current_rate(v) for v in volumes)
    out.update(price_per_hour=money(hourly), currency=currency(ctx))
    return out


def instance_detail(ctx: Context, row: Instance) -> dict[str, Any]:
    """VMResponse: everything about one instance."""
    data = row.data
    gpu = ctx.fixtures["gpus"]["models"][data["gpu_model"]]
    config = gpu["configurations"].get(data["gpu_count"]) or gpu["configurations"][str(data["gpu_count"])]
    volumes = attached_volumes(ctx, row)
    boot = next((v for v in volumes if v.id == str(row.meta.get("boot_volume_id"))), None)
    return {
        **instance(ctx, row, volumes),
        "flavor": {"name": f"{data['gpu_model']}x{data['gpu_count']}", "gpu_model": data["gpu_model"],
                   "gpu_count": data["gpu_count"]},
        "specs": {"vcpus": config["vcpus"], "ram_gb": config["ram_gb"],
                  "gpu_memory_gb": gpu["metadata"]["gpu_memory_gb"] * data["gpu_count"],
                  "boot_disk_gb": boot.data["size"] if boot else config["boot_disk_gb"],
                  "ephemeral_disk_gb": config["ephemeral_disk_gb"]},
        "image": data["image"], "boot_source": data["boot_source"], "ssh_key_ids": data["ssh_key_ids"],
        "startup_script_id": data["startup_script_id"],
        "volume_attachments": [_attachment(v) for v in volumes],
        "security_rules": data["security_rules"], "operations": operations(row),
        "jupyter_url": data["jupyter_url"], "updated_at": data["updated_at"],
    }


def _attachment(volume: Row) -> dict[str, Any]:
    data, attachment = volume.data, volume.data["attachment"] or {}
    return {"volume_id": data["id"], "name": data["name"], "size": data["size"], "volume_type": data["volume_type"],
            "bootable": data["bootable"], "is_boot_volume": bool(attachment.get("is_boot_volume")),
            "device": attachment.get("device", ""), "attached_at": attachment.get("attached_at", data["created_at"])}


def volume(ctx: Context, row: Row) -> dict[str, Any]:
    return {**row.data, "price_per_hour": money(billing.current_rate(row)), "currency": currency(ctx)}


def image(row: Row) -> dict[str, Any]:
    return dict(row.data)


def snapshot(ctx: Context, row: Row) -> dict[str, Any]:
    out = {k: v for k, v in row.data.items() if k not in _SNAPSHOT_DETAIL}
    image_id = row.meta.get("image_id")
    out.update(has_image=image_id is not None, image_id=image_id)
    return out


_SNAPSHOT_DETAIL = ("gpu_model", "gpu_count", "boot_source", "os_image_name")


def snapshot_detail(ctx: Context, row: Row) -> dict[str, Any]:
    return {**snapshot(ctx, row), **{k: row.data[k] for k in _SNAPSHOT_DETAIL},
            "price_per_hour": money(billing.current_rate(row)), "currency": currency(ctx)}


def firewall(row: Row) -> dict[str, Any]:
    data = row.data
    return {k: data[k] for k in ("id", "name", "description", "region", "status", "created_at")} | {
        "rules_count": len(data["rules"]), "attached_instances_count": len(row.meta.get("attachments", {}))}


def firewall_detail(ctx: Context, row: Row) -> dict[str, Any]:
    return {**firewall(row), "rules": row.data["rules"], "attachments": firewall_attachments(ctx, row)}


def firewall_attachments(ctx: Context, row: Row) -> list[dict[str, Any]]:
    out = []
    for instance_id, attachment_id in row.meta.get("attachments", {}).items():
        vm = ctx.records.find(Instance, instance_id)
        link = ctx.records.find("firewall_attachment", str(attachment_id))
        if vm is None or link is None:
            continue
        out.append({"id": attachment_id, "status": link.data["status"], "created_at": link.data["created_at"],
                    "instance": {k: vm.data[k] for k in ("id", "name", "status", "server_uuid")}})
    return out
