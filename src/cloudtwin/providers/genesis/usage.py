"""What each account uses against its quotas, kept as running totals.

Every create checks a quota: summing the account's volumes (storage) or counting its
instances (per type) each time made a create cost grow with the account's size — 60-100 ms
at 100,000 instances. The totals are rows of the store, so they are exported, imported and
reset with everything else. A state saved before a total existed is counted once, on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...engine.counters import counter
from ...engine.provider import Context
from ...engine.store import Row
from . import resources

if TYPE_CHECKING:
    from .resources import Instance

KIND = "usage"  # one row per account and total, id `<account>/<total>`: undeclared, account-wide


def _counter(ctx: Context, name: str) -> Row:
    """One of the account's totals (the hooks' ctx is the row's account)."""
    return counter(ctx, KIND, f"{ctx.account.id}/{name}", lambda: _count(ctx, name))  # type: ignore[union-attr]


def _count(ctx: Context, name: str) -> dict[str, object]:
    if name == "volume_storage":
        return {"gib": sum(volume.size for volume in ctx.records.rows(resources.Volume))}
    by_type: dict[str, int] = {}
    for instance in ctx.records.rows(resources.Instance):
        # quotas.yaml: an instance counts against its quota until it starts deleting.
        counted = instance.status != "deleting"
        instance.quota_counted = counted
        if counted:
            by_type[instance.type] = by_type.get(instance.type, 0) + 1
    return {"by_type": by_type}


def storage_used(ctx: Context) -> int:
    return int(_counter(ctx, "volume_storage").data["gib"])


def add_storage(ctx: Context, gib: int) -> None:
    _counter(ctx, "volume_storage").data["gib"] += gib


def instances_by_type(ctx: Context) -> dict[str, int]:
    """The account's instances that count against a quota, per instance type."""
    return dict(_counter(ctx, "instances").data["by_type"])


def instance_entered(ctx: Context, row: Instance, state: str) -> None:
    """Count the instance in, or out when it starts deleting (whatever path led there)."""
    by_type = _counter(ctx, "instances").data["by_type"]
    counted = state != "deleting"
    if counted != row.quota_counted:
        by_type[row.type] = by_type.get(row.type, 0) + (1 if counted else -1)
        row.quota_counted = counted


def instance_removed(ctx: Context, row: Instance) -> None:
    if row.quota_counted:
        by_type = _counter(ctx, "instances").data["by_type"]
        by_type[row.type] -= 1
        row.quota_counted = False
