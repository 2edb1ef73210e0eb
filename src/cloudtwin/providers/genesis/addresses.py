"""Public and private addresses in use, across accounts: no two holders draw the same one."""

from __future__ import annotations

import ipaddress

from ...engine.provider import Context
from ...engine.store import Row
from . import resources


def take(ctx: Context, holder: Row, scope: str, network: str) -> str:
    """A seeded draw from `network` that no live instance or floating IP holds in `scope`."""
    pool = ctx.shared
    net = ipaddress.ip_network(network)
    address = ctx.ids.ipv4(network)
    for _ in range(64):
        if pool.find(resources.Address, f"{scope}/{address}") is None:
            break
        address = ctx.ids.ipv4(network)
    else:  # a nearly full range: the lowest free host, if any
        address = next((str(h) for h in net.hosts() if pool.find(resources.Address, f"{scope}/{h}") is None), address)
    if pool.find(resources.Address, f"{scope}/{address}") is None:
        pool.add(resources.Address, f"{scope}/{address}", {"holder": holder.id})
    return address


def release(ctx: Context, holder: Row, *held: tuple[str, str | None]) -> None:
    pool = ctx.shared
    for scope, address in held:
        taken = pool.find(resources.Address, f"{scope}/{address}") if address else None
        if taken is not None and taken.holder == holder.id:
            pool.remove(resources.Address, taken.id)
