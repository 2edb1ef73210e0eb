"""Running totals kept as rows of the store (quota use, stock taken, id sequences).

A check that would count every row on every create costs what the account holds; a total
kept beside the rows costs one lookup. Being rows, totals are exported, imported and reset
with everything else; `start` computes a missing one once (a state saved before it existed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, TypeVar, overload

from .shapes import Field, Resource
from .store import PROVIDER, Row, scope_of

if TYPE_CHECKING:
    from .provider import Context

R = TypeVar("R", bound=Row)


class StockKind(Resource):
    """Capacity in use, across accounts (`used`), under a key the provider chooses: its stock
    checks read it, and capacity weather (engine/weather.py) takes and gives back from it. A
    provider declares it as `class Stock(StockKind, provider=NAME)`."""

    __slots__ = ()
    used = Field[int]()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(kind="stock", scope=PROVIDER, body_only=(), **kwargs)


@overload
def counter(ctx: "Context", kind: type[R], key: str, start: Callable[[], dict[str, Any]]) -> R: ...
@overload
def counter(ctx: "Context", kind: str, key: str, start: Callable[[], dict[str, Any]]) -> Row: ...


def counter(ctx: "Context", kind: Any, key: str, start: Callable[[], dict[str, Any]]) -> Row:
    """The row of totals `key` among this provider's `kind` rows, made from `start()` when missing:
    in the provider-wide collection if the kind is declared provider-wide (stock, id sequences),
    else in the account's (quota use). Its `data` is the totals: edit them within the call."""
    name = kind if isinstance(kind, str) else kind.kind_name
    rows = ctx.shared if scope_of(ctx.provider, name) == PROVIDER else ctx.records
    found = rows.find(kind, key)
    return found if found is not None else rows.add(kind, key, start())
