"""IP addresses a provider hands out: seeded draws from a network, never two holders at once.

Each address taken is a row `<scope>/<address>` of the provider's `address` kind (a provider
declares it as `class Address(AddressKind, provider=NAME)`; the shape is this module's),
naming the row that holds it, so uniqueness costs a lookup, survives export and import, and a
reset frees everything. A scope is a pool (`public`, `private`): one address may be private in one
and public in another.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from .shapes import PROVIDER, Field, Resource
from .store import Row

if TYPE_CHECKING:
    from .provider import Context

KIND = "address"
DRAWS = 64  # seeded draws before falling back to the lowest free host (a nearly full range)


class AddressKind(Resource):
    """An address in use (id `<scope>/<address>`): provider-wide, so no two rows draw the same."""

    __slots__ = ()
    holder = Field[str]()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(kind=KIND, scope=PROVIDER, body_only=(), **kwargs)


def take(ctx: "Context", holder: Row, scope: str, network: str) -> str:
    """A seeded draw from `network` that nothing else holds in `scope`, now held by `holder`."""
    pool = ctx.shared
    address = ctx.ids.ipv4(network)
    for _ in range(DRAWS):
        if pool.find(KIND, f"{scope}/{address}") is None:
            break
        address = ctx.ids.ipv4(network)
    else:
        free = (str(h) for h in ipaddress.ip_network(network).hosts() if pool.find(KIND, f"{scope}/{h}") is None)
        address = next(free, address)  # a full range: a shared address rather than no answer
    if pool.find(KIND, f"{scope}/{address}") is None:
        pool.add(KIND, f"{scope}/{address}", {"holder": holder.id})
    return address


def release(ctx: "Context", holder: Row, *held: tuple[str, str | None]) -> None:
    """Give back the (scope, address) pairs `holder` holds; others' addresses are left alone."""
    pool = ctx.shared
    for scope, address in held:
        taken = pool.find(KIND, f"{scope}/{address}") if address else None
        if taken is not None and taken.data["holder"] == holder.id:
            pool.remove(KIND, taken.id)
