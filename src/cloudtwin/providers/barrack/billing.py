"""Credits in closed form: one ledger per account, one meter per billed resource.

The ledger holds the balance at the last settlement instant and the account's total hourly
rate (the sum of its meters). Settling debits `rate x elapsed hours` at once, so thirty
virtual days cost one multiplication, not 43,200 per-minute debits. Settlement happens
whenever a rate changes and on every read; in between, exactly one timer waits at the
virtual instant the balance reaches zero. A rate change moves that instant, so every
reschedule bumps a generation number and a timer carrying an older one is stale.

Each meter also keeps the resource's closed charge segments (start, end, rate, status,
category), which the billing endpoints cut into hourly records.
"""

from __future__ import annotations

from typing import Any, Mapping

from ...engine.errors import ApiError
from ...engine.provider import Context
from ...engine.store import Row
from .common import NAME, currency, money, stamp

EXHAUSTED = "credits_exhausted"
HOUR = 3600.0


def ledger(ctx: Context) -> Row:
    account = ctx.account.id  # type: ignore[union-attr]
    row = ctx.records.find("ledger", account)
    if row is None:
        cur = currency(ctx)
        initial = ctx.account.settings.get(NAME, {}).get(  # type: ignore[union-attr]
            "initial_credit", ctx.fixtures["limits"]["balance"]["initial_credit"][cur])
        row = ctx.records.add("ledger", account, {
            "balance": float(initial), "currency": cur, "settled_at": ctx.now, "meters": {},
            "generation": 0, "protected": False, "transactions": [],
        })
    return row


def rate(led: Row) -> float:
    """The account's hourly total, kept beside the meters by `set_meter` (a ledger saved before
    it was kept sums its meters once): summing every meter on every rate change made a clock
    advance cost meters x events."""
    data = led.data
    total = data.get("rate")
    if total is None:
        total = data["rate"] = float(sum(data["meters"].values()))
    return float(total)


def settle(ctx: Context) -> Row:
    """Debit what the meters have cost since the last settlement."""
    led = ledger(ctx)
    elapsed = ctx.now - led.data["settled_at"]
    if elapsed > 0:
        led.data["balance"] -= rate(led) * elapsed / HOUR
        led.data["settled_at"] = ctx.now
    return led


def balance(ctx: Context) -> float:
    return float(settle(ctx).data["balance"])


def _reschedule(ctx: Context, led: Row) -> None:
    """Keep exactly one live timer, at the instant the balance reaches zero (if it will)."""
    data = led.data
    hourly = rate(led)
    at = None
    if hourly > 0 and data["balance"] > 0 and not data["protected"]:
        at = data["settled_at"] + data["balance"] / hourly * HOUR
    if at is not None and data.get("timer_at") is not None and abs(at - data["timer_at"]) < 1e-3:
        return  # same total rate, same instant: the queued timer stands
    # Superseded: drop the queued timer, or every rate change leaves one waiting until its
    # (often years away) instant. The generation still guards timers in imported states.
    ctx.unschedule(EXHAUSTED, account=ctx.account.id)  # type: ignore[union-attr]
    data["generation"] += 1
    data["timer_at"] = at
    if at is not None:
        payload = {"account": ctx.account.id, "generation": data["generation"]}  # type: ignore[union-attr]
        ctx.schedule(at, EXHAUSTED, payload)


# Meters ------------------------------------------------------------------------------
def meter_key(row: Row) -> str:
    return f"{row.kind}:{row.id}"


def set_meter(ctx: Context, row: Row, hourly: float, status: str, category: str) -> None:
    """From now on the resource costs `hourly`; close the segment it was in."""
    led = settle(ctx)
    _close_segment(ctx, row)
    row.meta["meter"] = {"rate": hourly, "since": ctx.now, "status": status, "category": category}
    meters, key, total = led.data["meters"], meter_key(row), rate(led)
    before = meters.get(key)
    if hourly > 0:
        meters[key] = hourly
    else:
        meters.pop(key, None)
    # The total stays the very float summing the meters in order gives: a new meter comes last,
    # so it adds on; an unchanged one changes nothing; any other change sums them again.
    if before is None and hourly > 0:
        led.data["rate"] = total + hourly
    elif before != (hourly if hourly > 0 else None):
        led.data["rate"] = float(sum(meters.values()))
    _reschedule(ctx, led)


def stop_meter(ctx: Context, row: Row) -> None:
    if "meter" in row.meta:
        set_meter(ctx, row, 0.0, "DELETED", row.meta["meter"]["category"])


def _close_segment(ctx: Context, row: Row) -> None:
    current = row.meta.get("meter")
    if current and current["rate"] > 0 and ctx.now > current["since"]:
        row.meta.setdefault("charges", []).append(
            [current["since"], ctx.now, current["rate"], current["status"], current["category"]])


def segments(ctx: Context, row: Row) -> list[list[Any]]:
    """Closed segments plus the open one up to now."""
    out = [list(s) for s in row.meta.get("charges", [])]
    current = row.meta.get("meter")
    if current and current["rate"] > 0 and ctx.now > current["since"]:
        out.append([current["since"], ctx.now, current["rate"], current["status"], current["category"]])
    return out


def current_rate(row: Row) -> float:
    return float((row.meta.get("meter") or {}).get("rate", 0.0))


# Money in and out ----------------------------------------------------------------------
def minimum_to_create(ctx: Context) -> float:
    return float(ctx.fixtures["limits"]["balance"]["minimum_to_create"][currency(ctx)])


def require_credit(ctx: Context) -> None:
    """Creating anything chargeable needs the minimum balance (and no active protection)."""
    if balance(ctx) < minimum_to_create(ctx):
        raise ApiError("insufficient_credit")


def debit(ctx: Context, amount: float, note: str) -> Row:
    """A one-off charge (AI chat); the caller protects resources if it empties the balance."""
    led = settle(ctx)
    led.data["balance"] -= amount
    _transaction(ctx, led, "debit", amount, note)
    _reschedule(ctx, led)
    return led


def top_up(ctx: Context, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """Operator action: add credit; lifts resource protection once the balance is positive."""
    amount = float(arguments["amount"])
    if amount <= 0:
        raise ValueError("amount must be positive")
    led = settle(ctx)
    led.data["balance"] += amount
    _transaction(ctx, led, "credit", amount, "top-up")
    if led.data["balance"] > 0:
        led.data["protected"] = False
    _reschedule(ctx, led)
    return {"account": ctx.account.id, "balance": money(led.data["balance"]),  # type: ignore[union-attr]
            "currency": led.data["currency"], "resource_protection_active": led.data["protected"]}


def _transaction(ctx: Context, led: Row, kind: str, amount: float, note: str) -> None:
    led.data["transactions"].append({"type": kind, "amount": money(amount), "note": note, "at": stamp(ctx)})


def mark_protected(ctx: Context, value: bool) -> None:
    led = ledger(ctx)
    led.data["protected"] = value
    _reschedule(ctx, led)


def protected(ctx: Context) -> bool:
    return bool(ledger(ctx).data["protected"])
