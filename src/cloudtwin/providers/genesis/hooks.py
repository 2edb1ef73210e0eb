"""What every new Genesis account starts with. (What a resource does when it enters a state
or goes away is its kind's own behaviour: see `resources`.)"""

from __future__ import annotations

from typing import Any

from ...engine.clock import iso
from ...engine.provider import Context
from .resources import SecurityGroup

STANDARD_GROUP_RULES: list[dict[str, Any]] = [
    {"protocol": "tcp", "direction": "ingress", "port_range_min": 22, "port_range_max": 22},
    {"protocol": "icmp", "direction": "ingress", "port_range_min": None, "port_range_max": None},
    {"protocol": "all", "direction": "egress", "port_range_min": None, "port_range_max": None},
]


def setup_account(ctx: Context) -> None:
    """Every account has an internal `standard` security group in each region it may use."""
    legacy = bool(ctx.account and ctx.account.settings.get("genesis", {}).get("legacy"))
    stamp = iso(ctx.now)
    for region, info in ctx.fixtures["regions"]["regions"].items():
        if info.get("legacy_only") and not legacy:
            continue
        row_id = ctx.ids.uuid4()
        ctx.records.add(SecurityGroup, row_id, {
            "id": row_id, "name": "standard", "description": "Default rules for new instances",
            "is_internal": True, "region": region, "status": "created",
            "rules": [dict(rule) for rule in STANDARD_GROUP_RULES], "created_at": stamp, "updated_at": stamp,
        })
