"""What a request made: the rows its handler created that its answer names, for the journal.

The journal keeps them even when a connection fault loses the answer, so a tool reading it
(the resilience verdicts) can tell a retried create's duplicate from a fresh resource, and cost
it with the provider's own `price` hook.
"""

from __future__ import annotations

import json
from typing import Any

from .provider import Context, Provider
from .store import Row


def made(provider: Provider, ctx: Context, rows: list[Row], answer: Any) -> list[dict[str, Any]]:
    """The rows a call created that its answer names (a resource the client was meant to learn
    of, not the provider's own bookkeeping), each with its price on the provider's meter.
    `answer`: the body the handler returned, as data or as the bytes or text it sent."""
    named = _scalars(_parsed(answer) if isinstance(answer, (bytes, str)) else answer)
    price = provider.price
    out = []
    for row in rows:
        if str(row.id) not in named:
            continue
        item: dict[str, Any] = {"kind": row.kind, "id": row.id}
        quote = price(ctx, row) if price is not None else None
        if quote:
            item["price"] = dict(quote)
        out.append(item)
    return out


def _parsed(answer: bytes | str) -> Any:
    try:
        return json.loads(answer) if answer else None
    except ValueError:
        return None


def _scalars(body: Any) -> set[str]:
    found: set[str] = set()
    stack = [body]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, (str, int)) and not isinstance(value, bool):
            found.add(str(value))
    return found
