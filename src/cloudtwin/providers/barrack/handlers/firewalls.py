"""Regional firewalls: rules that add up on every attached instance."""

from __future__ import annotations

from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call
from ....engine.store import Row
from ..resources import Firewall, Instance
from .. import rules
from ..common import (limit, matches, message, newest_first, next_id, owned, paged, require_name_free, require_room,
                      stamp)
from ..views import firewall as view, firewall_attachments, firewall_detail
from . import handlers


def _firewall(call: Call) -> Row:
    return owned(call, Firewall, call.path["firewall_id"], "Firewall")


def _ready(row: Row) -> None:
    if row.data["status"] != "SUCCESS":
        raise ApiError("invalid_state", f"The firewall is {row.data['status']}.")


@handlers("listFirewalls")
def list_firewalls(call: Call) -> dict[str, Any]:
    rows = [r for r in newest_first(call.records.rows(Firewall)) if matches(call, region=r.region)]
    return paged(call, "firewalls", rows, view)


@handlers("getFirewall")
def get_firewall(call: Call) -> dict[str, Any]:
    return {"firewall": firewall_detail(call, _firewall(call))}


@handlers("createFirewall")
def create_firewall(call: Call) -> dict[str, Any]:
    body = call.body
    require_room(call, call.records.count(Firewall), limit(call, "per_account", "firewalls"), "firewalls")
    require_name_free(call, Firewall, body["name"])
    firewall_id = next_id(call, "firewall")
    row = call.records.add(Firewall, str(firewall_id), {
        "id": firewall_id, "name": body["name"], "description": body.get("description"), "region": body["region"],
        "status": "CREATING", "rules": [], "created_at": stamp(call)}, {"attachments": {}})
    call.enter(row, "CREATING")
    return message("Firewall created.", firewall=view(row))


@handlers("deleteFirewall")
def delete_firewall(call: Call) -> dict[str, Any]:
    row = _firewall(call)
    if row.meta["attachments"]:
        raise ApiError("firewall_in_use")
    call.records.remove(Firewall, row.id)
    return message("Firewall deleted.", firewall_id=row.data["id"])


@handlers("listFirewallAvailableInstances")
def list_firewall_available_instances(call: Call) -> dict[str, Any]:
    row = _firewall(call)
    keys = ("id", "name", "region", "status", "server_uuid", "floating_ip")
    items = [vm for vm in call.records.rows(Instance)
             if _attachable(vm, row) and vm.id not in row.meta["attachments"]]
    return paged(call, "instances", items, lambda vm: {k: vm.data[k] for k in keys}, firewall_id=row.data["id"])


def _attachable(vm: Instance, firewall: Row) -> bool:
    return vm.status == "ACTIVE" and vm.server_uuid is not None and vm.region == firewall.data["region"]


@handlers("addFirewallRule")
def add_firewall_rule(call: Call) -> dict[str, Any]:
    row = _firewall(call)
    rule = rules.normalise(call.body)
    _ready(row)
    rules.require_new(rule, row.data["rules"])
    cap = limit(call, "per_resource", "firewall_rules_per_firewall")
    if len(row.data["rules"]) >= cap:
        raise ApiError("limit_reached", f"At most {cap} rules per firewall.")
    stored = rules.stored(call, rule, "firewall_rule")
    row.data["rules"].append(stored)  # the real service takes up to ten minutes; the twin applies it at once
    return message("Firewall rule added.", firewall_id=row.data["id"], rule=stored)


@handlers("removeFirewallRule")
def remove_firewall_rule(call: Call) -> dict[str, Any]:
    row = _firewall(call)
    rule_id = call.path["rule_id"]
    if not any(r["id"] == rule_id for r in row.data["rules"]):
        raise ApiError("not_found", f"Firewall rule {rule_id} not found.")
    row.data["rules"] = [r for r in row.data["rules"] if r["id"] != rule_id]
    return message("Firewall rule removed.", firewall_id=row.data["id"], rule_id=rule_id)


@handlers("attachFirewall")
def attach_firewall(call: Call) -> dict[str, Any]:
    """Replaces the attachment set: new ones go ATTACHING, missing ones are detached at once."""
    row = _firewall(call)
    wanted = [owned(call, Instance, i, "Instance") for i in call.body["instance_ids"]]
    _ready(row)
    current = row.meta["attachments"]
    cap = limit(call, "per_resource", "firewalls_per_instance")
    for vm in wanted:
        if vm.id in current:
            continue
        if vm.data["region"] != row.data["region"]:
            raise ApiError("region_mismatch", f"Instance {vm.id} is in {vm.data['region']}.")
        if vm.data["status"] != "ACTIVE" or vm.data["server_uuid"] is None:
            raise ApiError("invalid_state", f"Instance {vm.id} must be ACTIVE with a server_uuid.")
        if len(vm.meta.get("firewalls", [])) >= cap:
            raise ApiError("limit_reached", f"At most {cap} firewalls per instance.")
    keep = {vm.id for vm in wanted}
    for instance_id in [i for i in current if i not in keep]:
        detach(call, row, instance_id)
    for vm in wanted:
        if vm.id not in current:
            link_id = next_id(call, "firewall_attachment")
            link = call.records.add("firewall_attachment", str(link_id), {
                "id": link_id, "status": "ATTACHING", "created_at": stamp(call)})
            call.enter(link, "ATTACHING")
            current[vm.id] = link_id
            vm.meta.setdefault("firewalls", []).append(row.data["id"])
    return message("Firewall attachments updated.", firewall_id=row.data["id"],
                   attachments=firewall_attachments(call, row))


def detach(call: Any, firewall: Row, instance_id: str) -> None:
    link_id = firewall.meta["attachments"].pop(instance_id, None)
    if link_id is not None:
        call.records.remove("firewall_attachment", str(link_id))
    vm = call.records.find(Instance, instance_id)
    if vm is not None:
        vm.meta["firewalls"] = [f for f in vm.meta.get("firewalls", []) if f != firewall.data["id"]]
