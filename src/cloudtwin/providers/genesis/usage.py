"""What each account uses against its quotas, kept as running totals.

Every create checks a quota: summing the account's volumes (storage) or counting its
instances (per type) each time made a create cost grow with the account's size — 60-100 ms
at 100,000 instances. The totals are rows of the store, so they are exported, imported and
reset with everything else. A state saved before a total existed is counted once, on first use.
"""

from __future__ import annotations

from ...engine.counters import counter
from ...engine.provider import Context
from ...engine.store import Row

KIND = "usage"
# quotas.yaml: an instance counts against its quota until it starts deleting.
_COUNTED = "quota_counted"


def _counter(ctx: Context, name: str, account: str | None = None) -> Row:
    owner: str = account or ctx.account.id  # type: ignore[union-attr]
    return counter(ctx, KIND, f"{owner}/{name}", lambda: _count(ctx, name, owner), account=owner)


def _count(ctx: Context, name: str, account: str) -> dict[str, object]:
    rows = ctx.twin.store.table("genesis", "volume" if name == "volume_storage" else "instance").rows(account)
    if name == "volume_storage":
        return {"gib": sum(volume.field("size") for volume in rows)}
    by_type: dict[str, int] = {}
    for instance in rows:
        counted = instance.field("status") != "deleting"
        instance.meta[_COUNTED] = counted
        if counted:
            by_type[instance.field("type")] = by_type.get(instance.field("type"), 0) + 1
    return {"by_type": by_type}


def storage_used(ctx: Context) -> int:
    return int(_counter(ctx, "volume_storage").data["gib"])


def add_storage(ctx: Context, gib: int) -> None:
    _counter(ctx, "volume_storage").data["gib"] += gib


def instances_by_type(ctx: Context) -> dict[str, int]:
    """The account's instances that count against a quota, per instance type."""
    return dict(_counter(ctx, "instances").data["by_type"])


def instance_entered(ctx: Context, row: Row, state: str) -> None:
    """Count the instance in, or out when it starts deleting (whatever path led there)."""
    by_type = _counter(ctx, "instances", row.account).data["by_type"]
    counted = state != "deleting"
    if counted != row.meta.get(_COUNTED, False):
        kind = row.data["type"]
        by_type[kind] = by_type.get(kind, 0) + (1 if counted else -1)
        row.meta[_COUNTED] = counted


def instance_removed(ctx: Context, row: Row) -> None:
    if row.meta.get(_COUNTED):
        by_type = _counter(ctx, "instances", row.account).data["by_type"]
        by_type[row.data["type"]] -= 1
        row.meta[_COUNTED] = False
