"""Credit depletion: at zero balance Barrack hibernates instances instead of deleting them."""

from __future__ import annotations

from typing import Any, Mapping

from ...engine.provider import Context
from . import billing
from .instance_state import hibernate
from . import resources


def on_exhausted(ctx: Context, payload: Mapping[str, Any]) -> None:
    """The one ledger timer: the balance reaches zero now, unless the rates moved since."""
    if ctx.account is None:
        return
    led = billing.ledger(ctx)
    if payload.get("generation") != led.data["generation"]:
        return  # stale: a later rate change scheduled another instant
    billing.settle(ctx)
    if abs(led.data["balance"]) < 1e-9:
        led.data["balance"] = 0.0  # float residue of the instant computed from this balance
    protect(ctx)


def protect(ctx: Context) -> None:
    """Hibernate every ACTIVE and SHUTOFF instance; volumes and snapshots are kept (and billed)."""
    billing.mark_protected(ctx, True)
    for row in list(ctx.records.rows(resources.Instance)):
        if row.status in ("ACTIVE", "SHUTOFF"):
            hibernate(ctx, row, reason="credit_depletion")


def charge_once(ctx: Context, amount: float, note: str) -> None:
    """A one-off debit (AI chat) that may itself empty the balance."""
    led = billing.debit(ctx, amount, note)
    if led.data["balance"] <= 0 and not led.data["protected"]:
        protect(ctx)
