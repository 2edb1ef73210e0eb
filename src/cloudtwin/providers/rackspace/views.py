"""Rows to the bodies clients read. Links are relative and start with `/v2/` (Glance)."""

from __future__ import annotations

from typing import Any

from ...engine.store import Row

# Core attributes Glance always emits (null when unset); the served schema allows the nulls.
ALWAYS = ("name", "container_format", "disk_format", "size", "virtual_size", "checksum", "owner")
_NULLS = dict.fromkeys(ALWAYS)


def image(row: Row) -> dict[str, Any]:
    # Built key by key from a copied template: a list page makes one per image.
    data = row.data
    body = _NULLS.copy()
    body.update(data)
    image_id = data["id"]
    body["self"] = f"/v2/images/{image_id}"
    body["file"] = f"/v2/images/{image_id}/file"
    body["schema"] = "/v2/schemas/image"
    return body


def member(row: Row) -> dict[str, Any]:
    return {**row.data, "schema": "/v2/schemas/member"}


def task(row: Row) -> dict[str, Any]:
    """The full task; `result` and `expires_at` only once set (the twin omits rather than nulls)."""
    body = {key: value for key, value in row.data.items() if value is not None}
    body.update({"self": f"/v2/tasks/{row.id}", "schema": "/v2/schemas/task"})
    return body


def task_stub(row: Row) -> dict[str, Any]:
    """A list item: the task without `input`, `result` and `message`."""
    return {k: v for k, v in task(row).items() if k not in ("input", "result", "message")}
