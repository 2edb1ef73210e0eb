"""Power actions, the public IP and the instance's own security rules."""

from __future__ import annotations

from typing import Any

from ....engine import addresses
from ....engine.errors import ApiError
from ....engine.provider import Call
from ....engine.store import Row
from .. import billing, instance_state, rules, stock
from ..common import TRANSITIONAL, limit, message, owned
from ..instance_state import PUBLIC_CIDR, operations
from ..views import instance as view
from . import handlers
from ..resources import Instance


def _instance(call: Call, action: str) -> Instance:
    row = owned(call, Instance, call.path["instance_id"], "Instance")
    if not operations(row)[action]:
        raise ApiError("invalid_state", f"Cannot {action.replace('_', ' ')} an instance in {row.data['status']}.")
    return row


def _moved(call: Call, row: Row, state: str, text: str) -> dict[str, Any]:
    call.enter(row, state)
    return message(text, instance=view(call, row))


@handlers("startInstance")
def start_instance(call: Call) -> dict[str, Any]:
    row = _instance(call, "start")
    if billing.balance(call) <= 0 or billing.protected(call):
        raise ApiError("insufficient_credit")
    return _moved(call, row, "STARTING", "Instance starting.")


@handlers("stopInstance")
def stop_instance(call: Call) -> dict[str, Any]:
    return _moved(call, _instance(call, "stop"), "STOPPING", "Instance stopping.")


@handlers("rebootInstance")
def reboot_instance(call: Call) -> dict[str, Any]:
    return _moved(call, _instance(call, "reboot"), "REBOOTING", "Instance rebooting.")


@handlers("hibernateInstance")
def hibernate_instance(call: Call) -> dict[str, Any]:
    row = _instance(call, "hibernate")
    instance_state.hibernate(call, row, reason="user")
    return message("Instance hibernating.", instance=view(call, row))


@handlers("restoreInstance")
def restore_instance(call: Call) -> dict[str, Any]:
    row = _instance(call, "restore")
    data = row.data
    stock.require_stock(call, data["region"], data["gpu_model"], data["gpu_count"])
    billing.require_credit(call)
    stock.take(call, row)
    return _moved(call, row, "RESTORING", "Instance restoring.")


@handlers("toggleInstancePublicIp")
def toggle_instance_public_ip(call: Call) -> dict[str, Any]:
    row = _instance(call, "toggle_public_ip")
    data = row.data
    enabled = data["floating_ip"] is not None
    wanted = (call.body or {}).get("enable", not enabled)
    if wanted and not enabled:
        data["floating_ip"], data["floating_ip_status"] = addresses.take(call, row, "public", PUBLIC_CIDR), "ATTACHED"
    elif not wanted and enabled:
        addresses.release(call, row, ("public", data["floating_ip"]))
        data["floating_ip"], data["floating_ip_status"] = None, "DETACHED"
    row.meta["public_ip"] = wanted
    instance_state.jupyter_url(row)
    return message("Public IP enabled." if wanted else "Public IP released.", instance_id=row.id,
                   public_ip_enabled=wanted, floating_ip=data["floating_ip"],
                   floating_ip_status=data["floating_ip_status"])


@handlers("addInstanceSecurityRule")
def add_instance_security_rule(call: Call) -> dict[str, Any]:
    row = owned(call, Instance, call.path["instance_id"], "Instance")
    rule = rules.normalise(call.body)
    if row.data["status"] != "ACTIVE":
        raise ApiError("invalid_state", "Security rules can only be added to an ACTIVE instance.")
    existing = row.data["security_rules"]
    rules.require_new(rule, existing)
    cap = limit(call, "per_resource", "security_rules_per_instance")
    if len(existing) >= cap:
        raise ApiError("limit_reached", f"At most {cap} security rules per instance.")
    stored = rules.stored(call, rule, "security_rule")
    existing.append(stored)
    return message("Security rule added.", instance_id=row.id, security_rule=stored)


@handlers("removeInstanceSecurityRule")
def remove_instance_security_rule(call: Call) -> dict[str, Any]:
    row = owned(call, Instance, call.path["instance_id"], "Instance")
    rule_id = call.path["rule_id"]
    if not any(r["id"] == rule_id for r in row.data["security_rules"]):
        raise ApiError("not_found", f"Security rule {rule_id} not found.")
    if row.data["status"] in TRANSITIONAL:
        raise ApiError("invalid_state", f"The instance is {row.data['status']}.")
    row.data["security_rules"] = [r for r in row.data["security_rules"] if r["id"] != rule_id]
    return message("Security rule removed.", instance_id=row.id, rule_id=rule_id)
