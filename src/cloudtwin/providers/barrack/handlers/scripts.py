"""Startup scripts: account-wide, run by cloud-init at first boot."""

from __future__ import annotations

from typing import Any

from ....engine.provider import Call
from ....engine.store import Row
from ..common import limit, message, newest_first, next_id, owned, paged, require_name_free, require_room, stamp
from . import handlers
from ..resources import Script


def _script(call: Call) -> Row:
    return owned(call, Script, call.path["script_id"], "Startup script")


@handlers("listScripts")
def list_scripts(call: Call) -> dict[str, Any]:
    return paged(call, "scripts", newest_first(call.records.rows(Script)), lambda r: r.data)


@handlers("getScript")
def get_script(call: Call) -> dict[str, Any]:
    return {"script": _script(call).data}


@handlers("createScript")
def create_script(call: Call) -> dict[str, Any]:
    body = call.body
    require_room(call, call.records.count(Script), limit(call, "per_account", "scripts"), "startup scripts")
    require_name_free(call, Script, body["name"])
    script_id = next_id(call, "script")
    now = stamp(call)
    row = call.records.add(Script, str(script_id), {
        "id": script_id, "name": body["name"], "description": body.get("description"), "content": body["content"],
        "created_at": now, "updated_at": now})
    return message("Startup script created.", script=row.data)


@handlers("updateScript")
def update_script(call: Call) -> dict[str, Any]:
    row = _script(call)
    body = call.body
    require_name_free(call, Script, body["name"], exclude=row.id)
    row.data.update(name=body["name"], description=body.get("description"), content=body["content"],
                    updated_at=stamp(call))
    return message("Startup script updated.", script=row.data)


@handlers("deleteScript")
def delete_script(call: Call) -> dict[str, Any]:
    row = _script(call)
    call.records.remove(Script, row.id)
    return message("Startup script deleted.", script_id=row.data["id"])


@handlers("bulkDeleteScripts")
def bulk_delete_scripts(call: Call) -> dict[str, Any]:
    deleted, missing = [], []
    for script_id in call.body["script_ids"]:
        row = call.records.find(Script, str(script_id))
        if row is None:
            missing.append(script_id)
        else:
            call.records.remove(Script, row.id)
            deleted.append(script_id)
    return message(f"{len(deleted)} startup scripts deleted.", deleted_ids=deleted, not_found_ids=missing)
