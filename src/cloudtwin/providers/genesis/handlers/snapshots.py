"""Snapshots: of an instance, imported from a URL, or cloned into another region."""

from __future__ import annotations

from typing import Any

from ....engine.provider import Call, Context
from ..common import page_list, page_of, refuse_if_deleting, require_region, require_state, stamp, start_delete, touch
from ..resources import Instance, Snapshot
from . import handlers


def _snapshot(call: Call) -> Snapshot:
    return call.records.get(Snapshot, call.path["snapshot_id"], message="snapshot not found")


def _new_snapshot(ctx: Context, *, name: str, size: int, region: str, os_type: str,
                  source_instance_id: str | None = None, source_snapshot_id: str | None = None) -> Snapshot:
    require_region(ctx, region)
    snapshot_id = ctx.ids.uuid4()
    now = stamp(ctx)
    row = ctx.records.add(Snapshot, snapshot_id, {
        "id": snapshot_id, "name": name, "size": size, "region": region, "status": "creating",
        "os_type": os_type, "source_instance_id": source_instance_id, "source_snapshot_id": source_snapshot_id,
        "resource_id": source_instance_id, "created_at": now, "updated_at": now,
    })
    ctx.enter(row, "creating")
    return row


@handlers("listSnapshots")
def list_snapshots(call: Call) -> dict[str, Any]:
    return page_of(call, Snapshot, "snapshots")


@handlers("getSnapshot")
def get_snapshot(call: Call) -> dict[str, Any]:
    return {"snapshot": _snapshot(call).data}


@handlers("createSnapshot")
def create_snapshot(call: Call) -> dict[str, Any]:
    body = call.body
    row = _new_snapshot(call, name=body["name"], size=body["size"], region=body["region"],
                        os_type=body.get("os_type", "linux"))
    return {"snapshot": row.data}


@handlers("updateSnapshot")
def update_snapshot(call: Call) -> dict[str, Any]:
    row = _snapshot(call)
    refuse_if_deleting(row)
    if "name" in call.body:
        row.name = call.body["name"]
    touch(row, call)
    return {"snapshot": row.data}


@handlers("deleteSnapshot")
def delete_snapshot(call: Call) -> None:
    row = _snapshot(call)
    require_state(row, ("created", "error", "deleting"), "delete a snapshot")
    start_delete(call, row)


@handlers("cloneSnapshot")
def clone_snapshot(call: Call) -> dict[str, Any]:
    source = _snapshot(call)
    require_state(source, ("created",), "clone a snapshot")
    row = _new_snapshot(call, name=call.body["name"], size=source.size, region=call.body["region"],
                        os_type=source.os_type, source_snapshot_id=source.id)
    return {"snapshot": row.data}


@handlers("listInstanceSnapshots")
def list_instance_snapshots(call: Call) -> dict[str, Any]:
    instance = call.records.get(Instance, call.path["instance_id"], message="instance not found")
    rows = [row for row in call.records.rows(Snapshot) if row.source_instance_id == instance.id]
    return page_list(call, rows, "snapshots", lambda row: row.data)


@handlers("createInstanceSnapshot")
def create_instance_snapshot(call: Call) -> dict[str, Any]:
    instance = call.records.get(Instance, call.path["instance_id"], message="instance not found")
    require_state(instance, ("active", "stopped"), "snapshot an instance")
    if call.body.get("replicated_region"):
        require_region(call, call.body["replicated_region"])
    row = _new_snapshot(call, name=call.body["name"], size=instance.disk_size,
                        region=instance.region, os_type=instance.os_type,
                        source_instance_id=instance.id)
    if call.body.get("replicated_region"):
        row.replicated_region = call.body["replicated_region"]
    return {"snapshot": row.data}
