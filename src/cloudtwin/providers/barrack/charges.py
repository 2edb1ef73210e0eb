"""Billing reports: a resource's charge segments cut into hourly records within a date window."""

from __future__ import annotations

import math
from datetime import date, datetime, timezone
from typing import Iterator

from ...engine.clock import iso
from ...engine.provider import Call, Context
from ...engine.store import Row
from . import billing
from .common import money

HOUR = 3600.0


def window(call: Call) -> tuple[float, float]:
    """[start_date 00:00, end_date+1 00:00) in UTC; an inverted window is simply empty."""
    def day(text: str | None, default: float, shift: int) -> float:
        if not text:
            return default
        d = date.fromisoformat(text)
        return datetime(d.year, d.month, d.day, tzinfo=timezone.utc).timestamp() + shift * 86400

    return day(call.query.get("start_date"), -math.inf, 0), day(call.query.get("end_date"), math.inf, 1)


def pieces(ctx: Context, row: Row, lo: float, hi: float) -> Iterator[tuple[float, float, float, str, str]]:
    """(start, end, rate, status, category) cut at UTC hour boundaries, oldest first."""
    for start, end, rate, status, category in billing.segments(ctx, row):
        start, end = max(start, lo), min(end, hi)
        while start < end:
            cut = min(end, (math.floor(start / HOUR) + 1) * HOUR)
            yield start, cut, rate, status, category
            start = cut


def amount(piece: tuple[float, float, float, str, str]) -> float:
    start, end, rate, _, _ = piece
    return rate * (end - start) / HOUR


def total(ctx: Context, row: Row, lo: float, hi: float, category: str | None = None) -> tuple[float, float]:
    """(amount, seconds) of a resource's charges in the window, optionally of one category."""
    cost = seconds = 0.0
    for start, end, rate, _, cat in billing.segments(ctx, row):
        start, end = max(start, lo), min(end, hi)
        if end > start and category in (None, cat):
            cost += rate * (end - start) / HOUR
            seconds += end - start
    return cost, seconds


def billed_hours(seconds: float) -> int:
    return int(-(-seconds // 3600))  # a started hour counts


def summary(ctx: Context, row: Row, lo: float, hi: float) -> dict[str, object]:
    """The billing summary of a volume or a snapshot over the window."""
    cost, seconds = total(ctx, row, lo, hi)
    return {"total_amount": money(cost), "billed_hours": billed_hours(seconds),
            "current_price_per_hour": money(billing.current_rate(row)), "first_billed_at": first_billed(ctx, row)}


def first_billed(ctx: Context, row: Row) -> str | None:
    found = billing.segments(ctx, row)
    return iso(found[0][0], millis=False) if found else None


def last_billed(ctx: Context, row: Row) -> str | None:
    found = billing.segments(ctx, row)
    return iso(found[-1][1], millis=False) if found else None


def iso_of(ts: float) -> str:
    return iso(ts, millis=False)
