"""Traffic rules (deploy, instance security rules, firewall rules): one shape, one check."""

from __future__ import annotations

import ipaddress
from typing import Any, Iterable, Mapping

from ...engine.errors import ApiError
from ...engine.provider import Context
from .common import next_id, stamp

FIELDS = ("direction", "ethertype", "protocol", "remote_ip_prefix", "port_range_min", "port_range_max")


def normalise(raw: Mapping[str, Any]) -> dict[str, Any]:
    """What JSON Schema cannot say: min <= max, and the CIDR with its host bits cleared."""
    low, high = raw.get("port_range_min"), raw.get("port_range_max")
    if low is not None and high is not None and low > high:
        raise ApiError("port_range_order")
    try:
        prefix = str(ipaddress.ip_network(raw["remote_ip_prefix"], strict=False))
    except ValueError:
        raise ApiError("invalid_request", f"{raw['remote_ip_prefix']!r} is not a CIDR.",
                       field="remote_ip_prefix", location="body") from None
    return {**{k: raw.get(k) for k in FIELDS}, "remote_ip_prefix": prefix}


def same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return all(a.get(k) == b.get(k) for k in FIELDS)


def require_new(rule: Mapping[str, Any], existing: Iterable[Mapping[str, Any]]) -> None:
    if any(same(rule, other) for other in existing):
        raise ApiError("conflict", "An identical rule already exists.")


def stored(ctx: Context, rule: Mapping[str, Any], kind: str) -> dict[str, Any]:
    return {"id": next_id(ctx, kind), **rule, "created_at": stamp(ctx)}
