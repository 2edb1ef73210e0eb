"""IP addresses a provider hands out: seeded draws from a network, never two holders at once.

Each address taken is a row `<scope>/<address>` of the provider's `address` kind (a provider
declares it as `class Address(AddressKind, provider=NAME)`; the shape is this module's),
naming the row that holds it, so uniqueness costs a lookup, survives export and import, and a
reset frees everything. A scope is a pool (`public`, `private`): one address may be private in one
and public in another.

The pool's rows are also indexed by (scope, address as a number), so how many of a range's hosts
are held is two bisections: a full range, or the lowest free host of a nearly full one, costs a
lookup, not a walk over every host of the range (a fleet larger than its public range used to
walk the whole range on every instance built).
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .ids import network_of
from .shapes import PROVIDER, Field, Resource
from .store import Row

if TYPE_CHECKING:
    from sortedcontainers import SortedKeyList

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
    hosts = _hosts(network)
    held = _Held(pool.ordered(KIND, "address", _address_order), scope, hosts.version)
    if hosts.draws_are_hosts and held.count(hosts.first, hosts.last) == hosts.last - hosts.first + 1:
        # Every draw would be refused: the stream moves on as those draws would, and a full
        # range answers with a shared address rather than no answer.
        ctx.ids.skip_ipv4(network, DRAWS)
        return ctx.ids.ipv4(network)
    address = ctx.ids.ipv4(network)
    for _ in range(DRAWS):
        if pool.find(KIND, f"{scope}/{address}") is None:
            break
        address = ctx.ids.ipv4(network)
    else:
        free = held.lowest_free(hosts.first, hosts.last)
        if free is not None:
            address = str(hosts.address(free))
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


@dataclass(frozen=True)
class _Hosts:
    """The hosts of a network (what `ipaddress` yields from `hosts()`) as one run of numbers."""

    version: int
    first: int
    last: int
    address: type[ipaddress.IPv4Address] | type[ipaddress.IPv6Address]
    draws_are_hosts: bool  # every seeded draw is one of the hosts (not so for a /32 or a /128)


@functools.lru_cache(maxsize=256)
def _hosts(network: str) -> _Hosts:
    net = network_of(network)
    base, size = int(net.network_address), net.num_addresses
    if size <= 2:  # a single address, or a point-to-point pair: every address is a host
        first, last = base, base + size - 1
    else:  # IPv4 leaves out the broadcast address; IPv6 has none (its last address is a host)
        first, last = base + 1, base + size - (2 if net.version == 4 else 1)
    top = max(2, size - 1)  # ids.ipv4 draws base + [1, top)
    return _Hosts(net.version, first, last, type(net.network_address), first <= base + 1 and base + top - 1 <= last)


def _address_order(row: Row) -> tuple[str, int, int, str]:
    """(scope, IP version, address as a number, id): a range's held hosts are one slice. A row
    whose id is not `<scope>/<address as ipaddress writes it>` sorts apart, since no host's
    lookup would find it."""
    scope, _, text = row.id.rpartition("/")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return (scope, 0, -1, row.id)
    return (scope, address.version, int(address), row.id) if str(address) == text else (scope, 0, -1, row.id)


class _Held:
    """The addresses held in one scope, counted by range through the pool's sorted index."""

    def __init__(self, order: "SortedKeyList", scope: str, version: int) -> None:
        self._order, self._scope, self._version = order, scope, version

    def count(self, first: int, last: int) -> int:
        """How many of the addresses first..last (inclusive) are held."""
        below = self._order.bisect_key_left
        return below((self._scope, self._version, last + 1)) - below((self._scope, self._version, first))

    def lowest_free(self, first: int, last: int) -> int | None:
        """The lowest address of first..last that nothing holds, found by halving the range."""
        if self.count(first, last) > last - first:
            return None
        while first < last:
            middle = (first + last) // 2
            if self.count(first, middle) <= middle - first:
                last = middle
            else:
                first = middle + 1
        return first
