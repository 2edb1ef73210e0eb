"""Each account's volume storage in use, kept as a running total.

Every volume create and resize checks the storage quota; summing every volume each time
made a create cost grow with the account's size. The total is a row of the store, so it
is exported, imported and reset with everything else.
"""

from __future__ import annotations

from ...engine.provider import Context
from ...engine.store import Row

KIND = "usage"


def _counter(ctx: Context) -> Row:
    account = ctx.account.id  # type: ignore[union-attr]
    table = ctx.twin.store.table("genesis", KIND)
    key = f"{account}/volume_storage"
    row = table.get(key)
    if row is None:  # first use (or a state saved before the total existed): count once
        total = sum(volume.field("size") for volume in ctx.records.rows("volume"))
        row = ctx.twin.store.insert("genesis", KIND, account, key, {"gib": total})
    return row


def storage_used(ctx: Context) -> int:
    return int(_counter(ctx).data["gib"])


def add_storage(ctx: Context, gib: int) -> None:
    _counter(ctx).data["gib"] += gib
