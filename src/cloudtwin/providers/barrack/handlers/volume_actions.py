"""Volume operations with tier and state rules: resize, clone, attach and detach."""

from __future__ import annotations

from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call
from ....engine.store import Row
from .. import billing, storage
from ..common import is_advanced, limit, message, owned, region, require_name_free, require_profile
from ..views import volume as view
from . import handlers
from ..resources import Instance, Volume


@handlers("resizeVolume")
def resize_volume(call: Call) -> dict[str, Any]:
    row = owned(call, Volume, call.path["volume_id"], "Volume")
    data, size = row.data, call.body["size"]
    if not is_advanced(call, data["region"]):
        raise ApiError("tier_not_supported", "Resizing is only supported in advanced tier regions.")
    if data["status"] not in ("available", "in-use"):
        raise ApiError("invalid_state", f"A volume in {data['status']} cannot be resized.")
    cap = storage.max_size(call, data["volume_type"])
    if size <= data["size"] or size > cap:
        raise ApiError("invalid_size", f"The new size must be larger than {data['size']} GB and at most {cap} GB.")
    previous, data["size"] = data["size"], size
    storage.meter(call, row)  # billed at the new size from now on
    return message("Volume resized.", previous_size=previous, volume=view(call, row))


CLONE_SUFFIX = "-clone"


def clone_name(call: Call, source: str) -> str:
    """The default name: `<source>-clone`, else `<source>-clone-2`, `-3`, ... (the first one free
    among the caller's volumes), the source cut so that the whole stays within 30 characters.
    A cut source loses any trailing `-`/`_`, so the name always follows the naming rules."""
    taken = {row.name for row in call.records.rows(Volume)}
    most = int(call.fixtures["limits"]["names"]["volume"]["max"])
    n = 1
    while True:
        suffix = CLONE_SUFFIX if n == 1 else f"{CLONE_SUFFIX}-{n}"
        candidate = source[:most - len(suffix)].rstrip("-_") + suffix
        if candidate not in taken:
            return candidate
        n += 1


@handlers("cloneVolume")
def clone_volume(call: Call) -> dict[str, Any]:
    source = owned(call, Volume, call.path["volume_id"], "Volume")
    body = call.body or {}
    data = source.data
    # The provider's documented order of checks (spec: cloneVolume).
    if not _cloneable(call, source):
        raise ApiError("clone_source_ineligible")
    require_profile(call)
    billing.require_credit(call)
    if not is_advanced(call, data["region"]):
        raise ApiError("clone_tier")
    if body.get("region", data["region"]) != data["region"]:
        raise ApiError("clone_cross_region")  # the provider's own words, from the error table
    name = body.get("name") or clone_name(call, data["name"])
    require_name_free(call, Volume, name)
    volume_type = body.get("volume_type", data["volume_type"])
    if data["size"] > storage.max_size(call, volume_type):
        raise ApiError("invalid_size", f"{volume_type} volumes hold at most {storage.max_size(call, volume_type)} GB.")
    storage.require_region_room(call, data["region"])
    row = storage.new_volume(call, name=name, region=data["region"], size=data["size"], volume_type=volume_type,
                             bootable=data["bootable"], os_image_id=data["os_image_id"], source_volume_id=data["id"],
                             copy_seconds=storage.clone_seconds(call, data["size"]))
    return message("Volume clone started.", source_volume_id=data["id"], volume=view(call, row))


def _cloneable(call: Call, volume: Row) -> bool:
    status = volume.data["status"]
    if status == "available":
        return True
    attachment = volume.data["attachment"]
    if status != "in-use" or attachment is None:
        return False
    instance = call.records.find(Instance, attachment["instance_id"])
    return instance is not None and instance.data["status"] == "SHUTOFF"


def _instance_for_attach(call: Call) -> Row:
    instance = owned(call, Instance, call.path["instance_id"], "Instance")
    wanted = region(call, instance.data["region"])["attach_volumes_instance_status"]
    if instance.data["status"] != wanted:
        raise ApiError("invalid_state", f"Volumes can only be attached or detached while the instance is {wanted}.")
    return instance


@handlers("attachVolumes")
def attach_volumes(call: Call) -> dict[str, Any]:
    volumes = [owned(call, Volume, v, "Volume") for v in call.body["volume_ids"]]
    instance = _instance_for_attach(call)
    for volume in volumes:
        if volume.data["attachment"] is not None:
            raise ApiError("volume_in_use", f"Volume {volume.data['id']} is attached to an instance.")
        if volume.data["status"] != "available":
            raise ApiError("invalid_state", f"Volume {volume.data['id']} is {volume.data['status']}.")
        if volume.data["region"] != instance.data["region"]:
            raise ApiError("region_mismatch", f"Volume {volume.data['id']} is in {volume.data['region']}.")
    cap = limit(call, "per_resource", "data_volumes_per_instance")
    if len(instance.meta.get("data_volume_ids", [])) + len(volumes) > cap:
        raise ApiError("limit_reached", f"An instance has at most {cap} data volumes.")
    for volume in volumes:
        storage.attach(call, volume, instance)
    return message("Volumes attached.", instance_id=instance.id, volumes=[view(call, v) for v in volumes])


@handlers("detachVolumes")
def detach_volumes(call: Call) -> dict[str, Any]:
    volumes = [owned(call, Volume, v, "Volume") for v in call.body["volume_ids"]]
    instance = _instance_for_attach(call)
    for volume in volumes:
        attachment = volume.data["attachment"]
        if attachment is None or attachment["instance_id"] != instance.id:
            raise ApiError("invalid_state", f"Volume {volume.data['id']} is not attached to {instance.id}.")
        if attachment["is_boot_volume"]:
            raise ApiError("boot_volume")
    for volume in volumes:
        storage.detach(call, volume, instance)
    return message("Volumes detached.", instance_id=instance.id, volumes=[view(call, v) for v in volumes])
