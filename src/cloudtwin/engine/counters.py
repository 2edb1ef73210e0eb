"""Running totals kept as rows of the store (quota use, stock taken, id sequences).

A check that would count every row on every create costs what the account holds; a total
kept beside the rows costs one lookup. Being rows, totals are exported, imported and reset
with everything else; `start` computes a missing one once (a state saved before it existed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .store import Row

if TYPE_CHECKING:
    from .provider import Context


def provider_wide(ctx: "Context") -> str:
    """The stand-in owner of a provider's rows that belong to no account (stock, pools, sequences)."""
    return f"_{ctx.provider}"


def counter(ctx: "Context", kind: str, key: str, start: Callable[[], dict[str, Any]], *,
            account: str | None = None) -> Row:
    """The row of totals `key` among this provider's `kind` rows, made from `start()` when missing.
    Its `data` is the totals: edit them in place within the call."""
    store = ctx.twin.store
    row = store.table(ctx.provider, kind).get(key)
    if row is None:
        row = store.insert(ctx.provider, kind, account or provider_wide(ctx), key, start())
    return row
