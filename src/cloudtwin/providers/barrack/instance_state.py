"""What an instance's status means: its price, its allowed actions, what entering it does."""

from __future__ import annotations

from ...engine import addresses
from ...engine.provider import Context
from ...engine.store import Row
from . import billing, stock
from .common import currency, stamp
from . import resources

PRIVATE_CIDR = "10.0.0.0/16"       # INFERRED: addresses are not published
PUBLIC_CIDR = "203.0.113.0/24"     # documentation range, so no real host is ever named
BILLED_FULL = ("ACTIVE", "SHUTOFF")


def gpu_rate(ctx: Context, row: Row) -> float:
    price = ctx.fixtures["gpus"]["models"][row.data["gpu_model"]]["prices"][currency(ctx)]
    return float(price) * int(row.data["gpu_count"])


def hibernated_rate(ctx: Context) -> float:
    return float(ctx.fixtures["prices"]["hibernated_instance_per_hour"][currency(ctx)])


def meter(ctx: Context, row: Row) -> None:
    """GPUs at the full rate while reserved, the flat rate while hibernated, nothing otherwise."""
    status = row.data["status"]
    if status in BILLED_FULL:
        billing.set_meter(ctx, row, gpu_rate(ctx, row), status, "compute")
    elif status == "HIBERNATED":
        billing.set_meter(ctx, row, hibernated_rate(ctx), status, "hibernation")
    else:
        billing.set_meter(ctx, row, 0.0, status, "compute")


def operations(row: resources.Instance) -> dict[str, bool]:
    status = row.status
    built = row.server_uuid is not None
    return {
        "start": status == "SHUTOFF",
        "stop": status == "ACTIVE",
        "reboot": status == "ACTIVE",
        "hibernate": status in ("ACTIVE", "SHUTOFF"),
        "restore": status == "HIBERNATED",
        "delete": status in ("ACTIVE", "SHUTOFF", "HIBERNATED", "ERROR"),
        # "Select running or stopped instance" (the provider's custom-image page).
        "snapshot": status in BILLED_FULL and built,
        "toggle_public_ip": status in ("ACTIVE", "SHUTOFF"),
        "attach_volumes": status == row.attach_status,
        "attach_firewall": status == "ACTIVE" and built,
    }


def hibernate(ctx: Context, row: resources.Instance, *, reason: str) -> None:
    """GPUs go back to stock; disks (boot and data volumes) and the public IP stay (spec: hibernateInstance)."""
    row.meta.setdefault("hibernations", []).append(
        {"hibernated_at": stamp(ctx), "restored_at": None, "reason": reason})
    stock.release(ctx, row)
    ctx.enter(row, "HIBERNATING")


def entered(ctx: Context, row: resources.Instance, state: str) -> None:
    data = row.data
    data["updated_at"] = stamp(ctx)
    if state == "ACTIVE":
        _built(ctx, row)
        history = row.meta.get("hibernations") or []
        if history and history[-1]["restored_at"] is None:
            history[-1]["restored_at"] = stamp(ctx)
    meter(ctx, row)
    # Resource protection also catches instances that finish a transition after the balance ran out.
    if state in BILLED_FULL and billing.protected(ctx):
        hibernate(ctx, row, reason="credit_depletion")


def _built(ctx: Context, row: Row) -> None:
    data = row.data
    if data["server_uuid"] is None:
        data["server_uuid"] = ctx.ids.uuid4()
        data["fixed_ip"] = addresses.take(ctx, row, "private", PRIVATE_CIDR)
    if row.meta.get("public_ip", True) and data["floating_ip"] is None:
        data["floating_ip"] = addresses.take(ctx, row, "public", PUBLIC_CIDR)
        data["floating_ip_status"] = "ATTACHED"
    jupyter_url(row)


def jupyter_url(row: Row) -> None:
    """Deployed with a Jupyter password, the VM serves Jupyter on its public address, port 8888."""
    ip = row.data["floating_ip"]
    row.data["jupyter_url"] = f"http://{ip}:8888" if row.meta.get("jupyter") and ip else None
