"""Import and export tasks: created pending, then run on the clock (see ../taskrun.py)."""

from __future__ import annotations

from typing import Any

from ....engine import paging
from ....engine.errors import ApiError
from ....engine.provider import Call, Reply
from .. import views
from ..common import absolute, link_root, region_of, stamp, tenant_of
from ..query import links, page_size, sort_spec, sorted_rows
from ..resources import Task
from . import operation


@operation("createTask")
def create_task(call: Call) -> Reply:
    task_id = call.ids.uuid4()
    now = stamp(call)
    row = call.records.add(Task, task_id, {
        "id": task_id, "type": call.body["type"], "status": "pending", "input": call.body["input"],
        "result": None, "owner": tenant_of(call.account),
        "message": str(call.fixtures["task_messages"]["no_message"]), "expires_at": None,
        "created_at": now, "updated_at": now,
    }, {"region": region_of(call)})
    call.enter(row, "pending")
    # Glance sets `/v2/tasks/<id>`, which WebOb makes absolute against the request: so does the twin.
    return Reply(views.task(row), status=201, headers={"Location": absolute(call, f"/v2/tasks/{task_id}")})


@operation("getTask")
def get_task(call: Call) -> dict[str, Any]:
    row = call.records.find("task", call.path["task_id"])
    if row is None or row.meta["region"] != region_of(call):
        raise ApiError("task_not_found", task_id=call.path["task_id"])
    return views.task(row)


@operation("listTasks")
def list_tasks(call: Call) -> dict[str, Any]:
    query = call.query
    region = region_of(call)
    rows = paging.filtered(call.records.rows("task"), lambda row: row.meta["region"] == region
                           and all(row.data[key] == query[key] for key in ("type", "status") if key in query))
    pairs = sort_spec({"sort_key": [query.get("sort_key", "created_at")], "sort_dir": [query.get("sort_dir", "desc")]})
    marker = query.get("marker")
    limit = page_size(query, call.fixtures["quotas"]["pagination"]["tasks"])
    page = paging.after_marker(sorted_rows(rows, pairs), marker, limit,
                               message=f"No task found with ID {marker}")
    return {"tasks": [views.task_stub(row) for row in page],
            **links("tasks", call.request.query_string, page, limit, link_root(call)), "schema": "/v2/schemas/tasks"}
