"""The credit balance: settled on read, with the protection flags."""

from __future__ import annotations

from typing import Any

from ....engine.provider import Call
from .. import billing
from ..common import currency, money, stamp
from . import handlers


@handlers("getCreditBalance")
def get_credit_balance(call: Call) -> dict[str, Any]:
    led = billing.settle(call)
    cur = currency(call)
    amount = {"amount": money(led.data["balance"]), "currency": cur}
    threshold = float(call.fixtures["limits"]["balance"]["low_balance_threshold"][cur])
    return {
        "balance": amount, "balances": [amount],
        "low_balance": led.data["balance"] < threshold, "low_balance_threshold": threshold,
        "minimum_balance_to_create": billing.minimum_to_create(call),
        "resource_protection_active": bool(led.data["protected"]),
        "hourly_spend": money(billing.rate(led)), "updated_at": stamp(call),
    }
