"""What a new resource costs on Barrack's own meter, for the journal (and the resilience verdicts
that count what a duplicated or orphaned resource costs).

An instance is quoted at its GPU rate (what it bills once ACTIVE); volumes and snapshots at the
rate their meter runs at. Amounts are in the account's currency; credits are spent in it.
"""

from __future__ import annotations

from typing import Any

from ...engine.provider import Context
from ...engine.store import Row
from .common import currency
from .resources import Named


def price(ctx: Context, row: Row) -> dict[str, Any] | None:
    if ctx.account is None or not isinstance(row, Named):
        return None
    hourly = row.hourly_rate(ctx)  # each kind knows its own rate (free kinds: 0)
    return {"currency": currency(ctx), "per_hour": hourly} if hourly > 0 else None
