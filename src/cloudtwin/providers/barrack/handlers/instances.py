"""Instances: list, details, delete, billing, and the filtered lists other pages use."""

from __future__ import annotations

from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call
from ....engine.store import Row
from ..resources import Firewall, Instance
from .. import charges, instance_state, pricing
from ..common import currency, matches, message, money, newest_first, owned, paged
from ..views import attached_volumes, instance as view, instance_detail
from . import handlers


def _instance(call: Call) -> Instance:
    return owned(call, Instance, call.path["instance_id"], "Instance")


@handlers("listInstances")
def list_instances(call: Call) -> dict[str, Any]:
    rows = [r for r in newest_first(call.records.rows(Instance)) if matches(call, region=r.region, status=r.status)]
    return paged(call, "instances", rows, lambda r: view(call, r))


@handlers("getInstance")
def get_instance(call: Call) -> dict[str, Any]:
    return {"instance": instance_detail(call, _instance(call))}


@handlers("deleteInstance")
def delete_instance(call: Call) -> dict[str, Any]:
    row = _instance(call)
    if not instance_state.operations(row)["delete"]:
        raise ApiError("invalid_state", f"An instance in {row.data['status']} cannot be deleted.")
    call.enter(row, "DELETING")  # free from now on; the lifecycle removes it
    return message("Instance deletion started.", instance=view(call, row))


@handlers("getHibernatedInstancesCount")
def get_hibernated_instances_count(call: Call) -> dict[str, Any]:
    count = sum(1 for r in call.records.rows(Instance) if r.status == "HIBERNATED")
    return {"count": count, "price_per_hour": money(count * instance_state.hibernated_rate(call)),
            "currency": currency(call)}


@handlers("listSnapshotEligibleInstances")
def list_snapshot_eligible_instances(call: Call) -> dict[str, Any]:
    keys = ("id", "name", "region", "status", "gpu_model", "gpu_count", "created_at")
    rows = [r for r in newest_first(call.records.rows(Instance))
            if instance_state.operations(r)["snapshot"] and matches(call, region=r.region)]
    return paged(call, "instances", rows, lambda r: {k: r.data[k] for k in keys})


@handlers("listInstanceFirewalls")
def list_instance_firewalls(call: Call) -> dict[str, Any]:
    row = _instance(call)
    out = []
    for firewall in call.records.rows(Firewall):
        link_id = firewall.meta.get("attachments", {}).get(row.id)
        link = call.records.find("firewall_attachment", str(link_id)) if link_id else None
        if link is not None:
            out.append({**{k: firewall.data[k] for k in ("id", "name", "region", "status")},
                        "attachment_status": link.data["status"], "rules_count": len(firewall.data["rules"])})
    return {"instance_id": row.id, "firewalls": out}


@handlers("getInstanceBilling")
def get_instance_billing(call: Call) -> dict[str, Any]:
    row = _instance(call)
    lo, hi = charges.window(call)
    cur = currency(call)
    compute, compute_s = charges.total(call, row, lo, hi, "compute")
    hibernation, hibernation_s = charges.total(call, row, lo, hi, "hibernation")
    volumes = attached_volumes(call, row)
    storage_items = [_volume_billing(call, v, lo, hi) for v in volumes]
    boot_id = row.meta.get("boot_volume_id")
    boot = next((b for b, v in zip(storage_items, volumes) if v.data["id"] == boot_id), None)
    storage_amount = sum(b["amount"] for b in storage_items)
    records = [_record("instance", row.id, p, cur) for p in charges.pieces(call, row, lo, hi)]
    for volume in volumes:
        records += [_record("volume", str(volume.data["id"]), p, cur) for p in charges.pieces(call, volume, lo, hi)]
    records.sort(key=lambda r: (r["period_start"], r["resource_type"]), reverse=True)
    gpu_price = pricing.gpu_price(call, row.data["gpu_model"], cur)
    summary = {
        "total_amount": money(compute + storage_amount + hibernation), "compute_amount": money(compute),
        "storage_amount": money(storage_amount), "hibernation_amount": money(hibernation),
        "current_price_per_hour": view(call, row)["price_per_hour"],
        "first_billed_at": charges.first_billed(call, row), "last_billed_at": charges.last_billed(call, row),
    }
    breakdown = {
        "compute": {"gpu": {"gpu_model": row.data["gpu_model"], "gpu_count": row.data["gpu_count"],
                            "price_per_gpu_hour": gpu_price, "billed_minutes": round(compute_s / 60),
                            "amount": money(compute)}, "amount": money(compute)},
        "storage": {"boot_volume": boot, "data_volumes": [b for b in storage_items if b is not boot],
                    "amount": money(storage_amount)},
        "hibernation": {"hibernated_minutes": round(hibernation_s / 60),
                        "price_per_hour": instance_state.hibernated_rate(call), "amount": money(hibernation),
                        "recent": list(reversed(row.meta.get("hibernations", [])))[:10]},
    }
    return paged(call, "records", records, instance_id=row.id, currency=cur, summary=summary, breakdown=breakdown)


def _record(kind: str, resource_id: str, piece: tuple[float, float, float, str, str], cur: str) -> dict[str, Any]:
    start, end, rate, status, _ = piece
    return {"resource_type": kind, "resource_id": resource_id, "status": status, "period_start": charges.iso_of(start),
            "period_end": charges.iso_of(end), "minutes": round((end - start) / 60), "rate_per_hour": rate,
            "amount": money(charges.amount(piece)), "currency": cur}


def _volume_billing(call: Call, volume: Row, lo: float, hi: float) -> dict[str, Any]:
    cost, seconds = charges.total(call, volume, lo, hi)
    data = volume.data
    return {"volume_id": data["id"], "name": data["name"], "volume_type": data["volume_type"], "size": data["size"],
            "price_per_tb_hour": pricing.storage_per_tb_hour(call, data["volume_type"], currency(call)),
            "billed_hours": charges.billed_hours(seconds), "amount": money(cost)}


