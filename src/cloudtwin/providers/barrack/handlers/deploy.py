"""Deploy an instance: boot source and data volumes as the region's tier allows."""

from __future__ import annotations

from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call
from ....engine.store import Row
from .. import rules, storage
from ..common import limit, message, owned, region, require_name_free
from ..launch import boot_disk, launch, require_can_launch
from ..views import instance as view
from . import handlers
from ..resources import Image, SSHKey, Script, Volume

VOLUME_BOOTS = ("user_volume", "existing_volume")


def _os_image(call: Call, image_id: int, region_code: str) -> dict[str, Any]:
    for image in call.fixtures["os_images"]["images"]:
        if image["id"] == image_id and image["region"] == region_code:
            return image
    raise ApiError("not_found", f"OS image {image_id} is not offered in {region_code}.")


def _boot_volume(call: Call, body: dict[str, Any]) -> Row:
    volume = owned(call, Volume, body["volume_id"], "Volume")
    if not volume.data["bootable"]:
        raise ApiError("invalid_state", f"Volume {volume.data['id']} is not bootable.")
    _require_free_volume(volume, body["region"])
    return volume


def _require_free_volume(volume: Row, region_code: str) -> None:
    if volume.data["attachment"] is not None:
        raise ApiError("volume_in_use", f"Volume {volume.data['id']} is attached to an instance.")
    if volume.data["status"] != "available":
        raise ApiError("invalid_state", f"Volume {volume.data['id']} is {volume.data['status']}.")
    if volume.data["region"] != region_code:
        raise ApiError("region_mismatch", f"Volume {volume.data['id']} is in {volume.data['region']}.")


def _custom_image(call: Call, body: dict[str, Any]) -> Row:
    image = owned(call, Image, body["image_id"], "Image")
    if image.data["status"] != "available":
        raise ApiError("invalid_state", f"Image {image.data['id']} is {image.data['status']}.")
    if image.data["region"] != body["region"]:
        raise ApiError("region_mismatch", f"Image {image.data['id']} is in {image.data['region']}.")
    return image


@handlers("createInstance")
def create_instance(call: Call) -> dict[str, Any]:
    body = call.body
    code, source = body["region"], body["boot_source"]
    from_volume = source in VOLUME_BOOTS
    # 404s and 400s first: everything the request names must exist.
    os_image = _os_image(call, body["os_image_id"], code) if source == "os_image" else None
    if not from_volume:
        for key_id in body.get("ssh_key_ids", []):
            owned(call, SSHKey, key_id, "SSH key")
        if body.get("startup_script_id") is not None:
            owned(call, Script, body["startup_script_id"], "Startup script")
    attach = [owned(call, Volume, v, "Volume") for v in body.get("attach_volume_ids", [])]
    if from_volume and body["volume_id"] in body.get("attach_volume_ids", []):
        raise ApiError("boot_volume_also_attached")
    # Each list has its own limit (the schema); together they are the instance's data volumes.
    if len(body.get("volumes", [])) + len(attach) > limit(call, "per_resource", "data_volumes_per_instance"):
        raise ApiError("too_many_data_volumes")
    size = _boot_size(call, body, os_image)
    security_rules = [rules.normalise(r) for r in body.get("security_rules", [])]
    # 409s: the account, the stock, then the state of what it names.
    require_can_launch(call, name=body["name"], region_code=code, model=body["gpu_model"], count=body["gpu_count"])
    boot_volume = _boot_volume(call, body) if from_volume else None
    custom = _custom_image(call, body) if source == "custom_image" else None
    for volume in attach:
        _require_free_volume(volume, code)
    _require_new_volume_names(call, body)
    storage.require_region_room(call, code, len(body.get("volumes", [])) + (0 if from_volume else 1))
    # Every check passed: create.
    image = ({"id": os_image["id"], "name": os_image["name"], "kind": "os_image"} if os_image else
             {"id": custom.data["id"], "name": custom.data["name"], "kind": "custom_image"} if custom else None)
    row = launch(call, name=body["name"], region_code=code, model=body["gpu_model"], count=body["gpu_count"],
                 boot_source=source, image=image, public_ip=body.get("public_ip", True),
                 ssh_key_ids=[] if from_volume else body.get("ssh_key_ids", []),
                 startup_script_id=None if from_volume else body.get("startup_script_id"),
                 security_rules=[rules.stored(call, r, "security_rule") for r in security_rules],
                 jupyter=bool(body.get("jupyter_password")))
    if boot_volume is not None:
        storage.attach(call, boot_volume, row, boot=True)
    else:
        boot_disk(call, row, size=size, os_image_id=os_image["id"] if os_image else None)
    created = [storage.new_volume(call, name=v["name"], region=code, size=v["size"],
                                  volume_type=v.get("volume_type", "NVMe")) for v in body.get("volumes", [])]
    for volume in attach + created:
        storage.attach(call, volume, row)
    return message("Deployment started.", deployment={
        "deployment_id": row.id, "status": "deploying", "instance": view(call, row),
        "created_volume_ids": [v.data["id"] for v in created]})


def _boot_size(call: Call, body: dict[str, Any], os_image: dict[str, Any] | None) -> int:
    """Advanced + OS image: configurable; legacy: fixed; volume boots: the volume's own size."""
    boot = region(call, body["region"])["boot_volume"]
    if body["boot_source"] == "os_image":
        rule = boot["os_image"]
        size = int((body.get("os_volume") or {}).get("size", rule["default_size"]))
        minimum = max(int(rule["min_size"]), int(os_image["min_boot_size"]) if os_image else 0)
        if size < minimum:
            raise ApiError("invalid_request", f"This image needs a boot volume of at least {minimum} GB.",
                           field="os_volume/size", location="body")
        return size
    if body["boot_source"] == "custom_image":
        image = owned(call, Image, body["image_id"], "Image")
        return max(int(call.fixtures["limits"]["sizes"]["legacy_boot_volume_gb"]), int(image.data["size"]))
    return 0


def _require_new_volume_names(call: Call, body: dict[str, Any]) -> None:
    names = [v["name"] for v in body.get("volumes", [])]
    if len(set(names)) != len(names):
        raise ApiError("name_taken", "Two new volumes have the same name.")
    for name in names:
        require_name_free(call, Volume, name)
