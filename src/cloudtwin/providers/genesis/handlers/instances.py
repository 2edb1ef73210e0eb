"""Instances: create, read, update (volumes and security groups), delete, actions."""

from __future__ import annotations

from typing import Any, TypeVar

from ....engine.errors import ApiError
from ....engine.provider import Call, Context
from ..common import page_of, ref, refresh_refs, stamp, start_delete, touch
from ..resources import FloatingIP, Instance, SecurityGroup, SSHKey, Volume
from ..stock import stock_left, take_stock
from . import handlers
from .account import quota_room
from .images import resolve_image

# INFERRED: which actions each state allows (GET /actions lists exactly these).
ALLOWED_ACTIONS: dict[str, list[str]] = {"active": ["stop", "reset"], "stopped": ["start"], "error": ["start", "stop"]}
R = TypeVar("R", SSHKey, SecurityGroup, Volume, FloatingIP)
ACTION_STATE = {"start": "starting", "stop": "stopping", "reset": "resetting"}


def _instance(call: Call) -> Instance:
    return call.records.get(Instance, call.path["instance_id"], message="instance not found")


@handlers("listInstances")
def list_instances(call: Call) -> dict[str, Any]:
    return page_of(call, Instance, "instances")


@handlers("getInstance")
def get_instance(call: Call) -> dict[str, Any]:
    return {"instance": _instance(call).data}


@handlers("getInstanceUserMetadata")
def get_user_metadata(call: Call) -> dict[str, Any]:
    return dict(_instance(call).metadata or {})


@handlers("createInstance")
def create_instance(call: Call) -> dict[str, Any]:
    body = call.body
    region = body["region"]
    instance_type = _instance_type(call, body["type"], region)
    image = resolve_image(call, body["image"])
    if region not in image["regions"]:
        raise ApiError("region_mismatch", f"image {body['image']} is not offered in {region}")
    if image["accelerators"] is not None and instance_type["accelerator"] not in image["accelerators"]:
        raise ApiError("image_incompatible")
    if body.get("ssh_keys") and body.get("password"):
        raise ApiError("credentials_conflict")
    ssh_keys = [ref(_owned(call, SSHKey, key_id)) for key_id in dict.fromkeys(body.get("ssh_keys", []))]
    groups = _groups_for(call, body.get("security_groups"), region)
    volumes = [_attachable_volume(call, volume_id, region) for volume_id in dict.fromkeys(body.get("volumes", []))]
    floating_ip = _assignable_floating_ip(call, body["floating_ip"], region) if body.get("floating_ip") else None
    _check_quota(call, instance_type)
    if stock_left(call, region, body["type"]) <= 0:
        raise ApiError("type_unavailable", f"{body['type']} is out of stock in {region}")

    # Every check passed: only now is state changed.
    instance_id = call.ids.uuid4()
    now = stamp(call)
    data: dict[str, Any] = {
        "id": instance_id, "name": body["name"], "hostname": body["hostname"],
        "dns_name": f"{body['hostname']}-{instance_id[:8]}.{region.lower()}.genesiscloud.example",
        "type": body["type"], "os_type": image["os_type"], "public_ip": None, "private_ip": None,
        "status": "creating", "ssh_keys": ssh_keys, "image": {"id": image["id"], "name": image["name"]},
        "floating_ip": None, "security_groups": [ref(g) for g in groups], "volumes": [],
        "region": region, "placement_option": body.get("placement_option", "AUTO"),
        "disk_size": body.get("disk_size", 80), "reservation_id": body.get("reservation_id"),
        "is_protected": body.get("is_protected", False), "billing_type": body.get("billing_type", "on-demand"),
        "created_at": now, "updated_at": now,
    }
    meta = {"metadata": body.get("metadata") or {}, "destroy_on_shutdown": body.get("destroy_on_shutdown", False),
            "public_ipv6": body.get("public_ipv6", False)}
    row = call.records.add(Instance, instance_id, data, meta)
    for group in groups:
        group.instances = [*group.instances, instance_id]
    for volume in volumes:
        _attach(call, row, volume)
    if floating_ip is not None:
        row.floating_ip = ref(floating_ip)
        floating_ip.instance = ref(row)
        touch(floating_ip, call)
    take_stock(call, region, body["type"])
    call.enter(row, "creating")
    return {"instance": row.data}


@handlers("updateInstance")
def update_instance(call: Call) -> dict[str, Any]:
    row = _instance(call)
    body = call.body
    if row.status == "deleting":
        raise ApiError("invalid_state", "the instance is being deleted")
    if "disk_size" in body and body["disk_size"] < row.disk_size:
        raise ApiError("shrink_refused", "disk_size can only grow")
    volume_plan = _plan(call, row, "volumes", body.get("volumes"))
    group_plan = _plan(call, row, "security_groups", body.get("security_groups"))
    for field in ("name", "is_protected", "reservation_id", "disk_size"):
        if field in body:
            row.data[field] = body[field]
    if "name" in body:
        refresh_refs(call, row)
    attach, detach = volume_plan
    for volume in detach:
        _detach(call, row, volume)
    for volume in attach:
        _attach(call, row, volume)
    attach_groups, detach_groups = group_plan
    for group in detach_groups:
        row.security_groups = [g for g in row.security_groups if g["id"] != group.id]
        group.instances = [i for i in group.instances if i != row.id]
    for group in attach_groups:
        row.security_groups.append(ref(group))
        group.instances = [*group.instances, row.id]
    touch(row, call)
    return {"instance": row.data}


@handlers("deleteInstance")
def delete_instance(call: Call) -> None:
    row = _instance(call)
    if row.is_protected:
        raise ApiError("protected")
    start_delete(call, row)


@handlers("listInstanceActions")
def list_instance_actions(call: Call) -> dict[str, Any]:
    return {"actions": list(ALLOWED_ACTIONS.get(_instance(call).status, []))}


@handlers("performInstanceAction")
def perform_instance_action(call: Call) -> None:
    row = _instance(call)
    action = call.body["action"]
    status = row.status
    if action not in ALLOWED_ACTIONS.get(status, []):
        raise ApiError("invalid_state", f"cannot {action} an instance that is {status}")
    touch(row, call)
    call.enter(row, ACTION_STATE[action])


# Checks ------------------------------------------------------------------------------
def _instance_type(ctx: Context, name: str, region: str) -> dict[str, Any]:
    types = ctx.fixtures["instance_types"]["instance_types"]
    if name not in types:
        raise ApiError("invalid_request", f"unknown instance type {name}")
    if region not in types[name].get("stock", {}):
        raise ApiError("type_unavailable", f"{name} is not offered in {region}")
    regions = ctx.fixtures["regions"]["regions"]
    legacy = bool(ctx.account and ctx.account.settings.get("genesis", {}).get("legacy"))
    if regions[region].get("legacy_only") and not legacy:
        raise ApiError("type_unavailable", f"{region} is only available to legacy accounts")
    return types[name]


def _check_quota(ctx: Context, instance_type: dict[str, Any]) -> None:
    key = instance_type.get("quota", "cpu-instances")
    needed = int(instance_type.get("gpus", 0)) or 1
    if quota_room(ctx, key) < needed:
        raise ApiError("quota_exceeded", f"quota {key} exceeded")


def _owned(ctx: Context, kind: type[R], row_id: str) -> R:
    row = ctx.records.find(kind, row_id)
    if row is None or row.status == "deleting":
        raise ApiError("unknown_reference", f"{kind.kind_name.replace('_', ' ')} {row_id} does not exist")
    return row


def _groups_for(ctx: Context, ids: list[str] | None, region: str) -> list[SecurityGroup]:
    if ids is None:
        standard = next((g for g in ctx.records.rows(SecurityGroup)
                         if g.is_internal and g.region == region), None)
        return [standard] if standard is not None else []
    groups = []
    for group_id in dict.fromkeys(ids):
        group = _owned(ctx, SecurityGroup, group_id)
        if group.region != region:
            raise ApiError("region_mismatch", f"security group {group_id} is in {group.region}")
        groups.append(group)
    return groups


def _attachable_volume(ctx: Context, volume_id: str, region: str, instance_id: str | None = None) -> Volume:
    volume = _owned(ctx, Volume, volume_id)
    if volume.region != region:
        raise ApiError("region_mismatch", f"volume {volume_id} is in {volume.region}")
    if volume.status != "created":
        raise ApiError("invalid_state", f"volume {volume_id} is {volume.status}")
    if any(i["id"] != instance_id for i in volume.instances):
        raise ApiError("in_use", f"volume {volume_id} is attached to another instance")
    return volume


def _assignable_floating_ip(ctx: Context, fip_id: str, region: str) -> FloatingIP:
    fip = _owned(ctx, FloatingIP, fip_id)
    if fip.region != region:
        raise ApiError("region_mismatch", f"floating IP {fip_id} is in {fip.region}")
    if fip.instance is not None:
        raise ApiError("in_use", f"floating IP {fip_id} is assigned to another instance")
    return fip


def _plan(call: Call, row: Instance, field: str, change: Any) -> tuple[list[Any], list[Any]]:
    """What to attach and detach for `volumes` or `security_groups`: a full list or one id."""
    if change is None:
        return [], []
    kind: type[Volume] | type[SecurityGroup] = Volume if field == "volumes" else SecurityGroup
    current = [item["id"] for item in (row.volumes if kind is Volume else row.security_groups)]
    if isinstance(change, list):
        wanted = list(dict.fromkeys(change))
    elif "attach" in change:
        wanted = current + ([change["attach"]] if change["attach"] not in current else [])
    else:
        wanted = [i for i in current if i != change["detach"]]
        if change["detach"] not in current:
            # An unknown id is still an error; a known one is a no-op.
            _owned(call, Volume, change["detach"]) if kind is Volume else _owned(call, SecurityGroup, change["detach"])
    attach_ids = [i for i in wanted if i not in current]
    detach_ids = [i for i in current if i not in wanted]
    region = row.region
    attach: list[Any]
    if kind is Volume:
        attach = [_attachable_volume(call, i, region, row.id) for i in attach_ids]
    else:
        attach = _groups_for(call, attach_ids, region)
    detach = [call.records.find(kind, i) for i in detach_ids]
    return attach, [d for d in detach if d is not None]


def _attach(ctx: Context, instance: Instance, volume: Volume) -> None:
    instance.volumes.append(ref(volume))
    volume.instances = [ref(instance)]
    touch(volume, ctx)


def _detach(ctx: Context, instance: Instance, volume: Volume) -> None:
    instance.volumes = [v for v in instance.volumes if v["id"] != volume.id]
    volume.instances = [i for i in volume.instances if i["id"] != instance.id]
    touch(volume, ctx)
