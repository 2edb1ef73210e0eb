"""Cloud Images roles (fixtures/rackspace/rbac.yaml): which token may call which operation."""

from __future__ import annotations

from typing import Any, Callable

from ...engine.errors import ApiError
from ...engine.provider import Call, Handler, Handlers
from . import tokens

RANK = {"observer": 1, "creator": 2, "admin": 3}
# Glance's policy names, which its 403 messages quote ("...complete add_task action.").
POLICY = {
    "listImages": "get_images", "getImage": "get_image", "updateImage": "modify_image",
    "deleteImage": "delete_image", "addImageTag": "modify_image", "deleteImageTag": "modify_image",
    "listImageMembers": "get_members", "getImageMember": "get_member", "createImageMember": "add_member",
    "updateImageMember": "modify_member", "deleteImageMember": "delete_member", "listTasks": "get_tasks",
    "getTask": "get_task", "createTask": "add_task",
}


def level_of(call: Call) -> int:
    """The broadest level any of the token's roles grants (0: none)."""
    token = tokens.valid(call, call.request.headers.get("x-auth-token", ""))
    names = {role["name"] for role in (token.data["roles"] if token else [])}
    granted = call.fixtures["rbac"]["roles"]
    return max((RANK[granted[name]] for name in names if name in granted), default=0)


def needed(call: Call) -> int:
    levels = call.fixtures["rbac"]["levels"]
    return min((RANK[level] for level, ops in levels.items() if call.operation_id in ops), default=0)


def guarded(handlers: Handlers) -> Callable[[str], Callable[[Handler], Handler]]:
    """`@operation("id")`: register a handler that first checks the caller's role."""
    def operation(operation_id: str) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            def checked(call: Call) -> Any:
                if needed(call) > level_of(call):
                    key = "task_create_forbidden" if operation_id == "createTask" else "forbidden"
                    raise ApiError(key, action=POLICY.get(operation_id, operation_id))
                return fn(call)
            checked.__name__ = fn.__name__
            handlers(operation_id)(checked)
            return fn
        return register
    return operation
