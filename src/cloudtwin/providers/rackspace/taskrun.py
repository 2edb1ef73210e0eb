"""What an import or export task does when its processing ends.

The lifecycle moves a task pending -> processing -> success on the clock. When it reaches
`success` the work is done against the twin's Cloud Files: anything wrong (a missing
object, a bad VHD, a size over the quota, an image the caller may not export) sends the
task to `failure` with Rackspace's message instead. An import creates an image that then
goes queued -> saving -> active.
"""

from __future__ import annotations

import hashlib
from typing import Any, Mapping

from ...engine.clock import iso
from ...engine.provider import Context
from ...engine.store import Row
from . import objects
from .access import can_see, image_key, is_owner
from .common import stamp, tenant_of
from .resources import Image


class TaskFailed(Exception):
    """A task's failure message."""


def task_entered(ctx: Context, row: Row, state: str) -> None:
    """Do the work when processing ends; stamp `expires_at` when the task finishes."""
    if state == "success" and row.data.get("result") is None:
        try:
            row.data["result"] = (run_import if row.data["type"] == "import" else run_export)(ctx, row)
        except TaskFailed as failure:
            row.data["message"] = str(failure)
            ctx.enter(row, "failure")  # the failure state's own hook sets expires_at
            return
    if state == "failure" and not row.data.get("message"):
        # A lifecycle fault rule that sent the task here may say why (`message`).
        row.data["message"] = str((row.meta.get("fault") or {}).get("message") or "")
    if state in ("success", "failure"):
        # A finished task stays readable until its lifecycle removes it: that is expires_at.
        lasts = ctx.state_lasts("task", state)
        row.data["expires_at"] = iso(ctx.now + lasts, millis=False)


def _message(ctx: Context, kind: str, key: str, **fields: Any) -> str:
    return str(ctx.fixtures["task_messages"][kind][key]).format(**fields)


def run_import(ctx: Context, task: Row) -> dict[str, str]:
    given: Mapping[str, Any] = task.data["input"]
    region = task.meta["region"]
    if set(given) - {"import_from", "import_from_format", "image_properties"} or \
            set(given.get("image_properties") or {}) - {"name"}:
        raise TaskFailed(_message(ctx, "import", "unsupported_image_property"))
    if not given.get("import_from"):
        raise TaskFailed(_message(ctx, "import", "import_from_missing"))
    container, _, name = str(given["import_from"]).partition("/")
    found = objects.get(ctx, region, container, name)
    if found is None:
        raise TaskFailed(_message(ctx, "import", "object_not_found"))
    _validate_vhd(ctx, found, str(given.get("import_from_format") or "vhd"))
    image_id = ctx.ids.uuid4()
    sized = found.meta.get("imported_image") or {}
    now = stamp(ctx)
    image = ctx.region(region).add(Image, image_key(region, image_id), {
        "id": image_id, "name": (given.get("image_properties") or {}).get("name"), "status": "queued",
        "visibility": "private", "protected": False, "container_format": "ovf", "disk_format": "vhd",
        # Rackspace repackages the VHD as a gzipped OVA: size and checksum differ from the object's.
        "size": int(sized.get("size") or found.data["bytes"] * 0.55), "virtual_size": None,
        "checksum": hashlib.md5(task.id.encode()).hexdigest(),
        "min_disk": int(sized.get("min_disk", 20)), "min_ram": int(sized.get("min_ram", 512)),
        "owner": tenant_of(ctx.account), "tags": [], "created_at": now, "updated_at": now,
        "image_type": "import", "os_type": "linux", "auto_disk_config": "False",
        "user_id": tenant_of(ctx.account),
    })
    ctx.enter(image, "queued")
    return {"image_id": image_id}


def _validate_vhd(ctx: Context, found: Row, declared_format: str) -> None:
    limits = ctx.fixtures["quotas"]["import"]
    codes = ctx.fixtures["task_messages"]["vhd_codes"]

    def invalid(code: int) -> TaskFailed:
        return TaskFailed(_message(ctx, "import", "vhd_invalid", code=code, reason=codes[code]))

    outcome = found.meta.get("import_outcome", "success")
    if declared_format not in limits["formats"]:
        raise invalid(396)
    if outcome == "windows":
        raise TaskFailed(_message(ctx, "import", "windows_not_allowed"))
    if isinstance(outcome, Mapping) and "vhd_error" in outcome:
        raise invalid(int(outcome["vhd_error"]))
    vhd = found.meta.get("vhd") or {}
    if found.data["bytes"] > limits["max_physical_size_bytes"]:
        raise invalid(609)
    if int(vhd.get("virtual_size", 0)) > limits["max_virtual_size_bytes"]:
        raise invalid(413)
    if vhd.get("has_parent"):
        raise invalid(721)
    if vhd and vhd.get("disk_type") not in limits["disk_types"]:
        raise invalid(523)


def run_export(ctx: Context, task: Row) -> dict[str, str]:
    given: Mapping[str, Any] = task.data["input"]
    region = task.meta["region"]
    image_uuid = str(given.get("image_uuid", ""))
    container = str(given.get("receiving_swift_container", ""))
    image = ctx.region(region).find(Image, image_key(region, image_uuid))
    if image is None or not can_see(ctx, image):
        raise TaskFailed(_message(ctx, "export", "image_not_found", image_uuid=image_uuid))
    if not is_owner(ctx, image):
        raise TaskFailed(_message(ctx, "export", "not_owner"))
    options = image.data.get("com.rackspace__1__options", "0")
    if options != "0":
        raise TaskFailed(_message(ctx, "export", "licensed", options=options))
    if image.data["status"] != "active":
        raise TaskFailed(_message(ctx, "export", "image_not_active", image_uuid=image_uuid))
    if not container or any(c in container for c in "/?."):
        raise TaskFailed(_message(ctx, "export", "bad_container_name", container=container))
    if objects.container(ctx, region, container) is None:
        raise TaskFailed(_message(ctx, "export", "container_not_found", container=container))
    manifest = f"{image_uuid}.vhd"
    if objects.get(ctx, region, container, manifest) is not None:
        raise TaskFailed(_message(ctx, "export", "object_exists", container=container, image_uuid=image_uuid))
    _write_large_object(ctx, region, container, manifest, int(image.data.get("size") or 0))
    return {"export_location": f"{container}/{manifest}"}


def _write_large_object(ctx: Context, region: str, container: str, manifest: str, size: int) -> None:
    """A Dynamic Large Object: a zero-byte manifest plus numbered segments."""
    segment = int(ctx.fixtures["object_store"]["export"]["segment_bytes"])
    objects.put(ctx, region, container, manifest, {"bytes": 0})
    for number, offset in enumerate(range(0, max(size, 1), segment), start=1):
        objects.put(ctx, region, container, f"{manifest}-{number:05d}", {"bytes": min(segment, size - offset)})
