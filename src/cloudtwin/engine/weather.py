"""Capacity weather: a provider's stock sells out for a while, then comes back.

Providers keep stock as counter rows whose `used` grows as resources take capacity. Weather
takes what is left of one counter (or part of it) for a stretch of virtual time, and a timer
gives it back; every answer meanwhile (the refusal, the availability page) is the provider's
own, because its own stock check sees the counter.
"""

from __future__ import annotations

from typing import Any, Mapping

from .clock import iso, parse_duration
from .provider import Context
from .store import Row

CLEARS = "weather_clears"  # the timer a provider registers with `clears`


def sell_out(ctx: Context, counter: Row, capacity: int, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """Take `take` units (default: all that is left) for `for` (a duration, default 1h)."""
    left = max(0, capacity - int(counter.data["used"]))
    wanted = arguments.get("take", "all")
    taken = left if wanted == "all" else min(int(wanted), left)
    if taken < 0:
        raise ValueError("take must be zero or more (or `all`)")
    duration = arguments.get("for", "1h")
    if not isinstance(duration, (str, int, float)) or isinstance(duration, bool):
        raise ValueError("`for` must be a duration such as 90s, 2h or 1d")
    seconds = parse_duration(duration)
    if seconds <= 0:
        raise ValueError("`for` must be a positive duration")
    counter.data["used"] = int(counter.data["used"]) + taken
    returns_at = ctx.now + seconds
    ctx.schedule(returns_at, CLEARS, {"kind": counter.kind, "counter": counter.id, "amount": taken})
    return {"stock": counter.id, "taken": taken, "left": left - taken, "returns_at": iso(returns_at)}


def clears(ctx: Context, payload: Mapping[str, Any]) -> None:
    """The timer: the weather's share of the counter is free again."""
    counter = ctx.shared.find(str(payload["kind"]), str(payload["counter"]))  # stock is provider-wide
    if counter is not None:
        counter.data["used"] = max(0, int(counter.data["used"]) - int(payload["amount"]))
