"""Shared filesystems (VAST): not for legacy accounts; mount details once created."""

from __future__ import annotations

from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call
from ..common import (
    page_of, refuse_if_deleting, require_current_account, require_region, stamp, start_delete, touch,
)
from ..resources import Filesystem
from . import handlers

FEATURE = "filesystems"


def _filesystem(call: Call) -> Filesystem:
    require_current_account(call, FEATURE)
    return call.records.get(Filesystem, call.path["filesystem_id"], message="filesystem not found")


@handlers("listFilesystems")
def list_filesystems(call: Call) -> dict[str, Any]:
    require_current_account(call, FEATURE)
    return page_of(call, Filesystem, "filesystems")


@handlers("getFilesystem")
def get_filesystem(call: Call) -> dict[str, Any]:
    return {"filesystem": _filesystem(call).data}


@handlers("createFilesystem")
def create_filesystem(call: Call) -> dict[str, Any]:
    require_current_account(call, FEATURE)
    body = call.body
    require_region(call, body["region"])
    filesystem_id = call.ids.uuid4()
    now = stamp(call)
    row = call.records.add(Filesystem, filesystem_id, {
        "id": filesystem_id, "name": body["name"], "description": body.get("description", ""),
        "type": body.get("type", "vast"), "size": body["size"], "region": body["region"],
        "status": "creating", "mount_endpoint_range": None, "mount_base_path": None,
        "created_at": now, "updated_at": now,
    })
    call.enter(row, "creating")
    return {"filesystem": row.data}


@handlers("updateFilesystem")
def update_filesystem(call: Call) -> dict[str, Any]:
    row = _filesystem(call)
    body = call.body
    refuse_if_deleting(row)
    if "size" in body and body["size"] < row.size:
        raise ApiError("shrink_refused", "a filesystem can only grow")
    for field in ("name", "description", "size"):
        if field in body:
            row.data[field] = body[field]
    touch(row, call)
    return {"filesystem": row.data}


@handlers("deleteFilesystem")
def delete_filesystem(call: Call) -> None:
    start_delete(call, _filesystem(call))
