"""The JSON schemas clients build their models from, served from fixtures/rackspace/schemas/."""

from __future__ import annotations

from typing import Any

from ....engine.provider import Call
from . import operation


def _schema(call: Call, name: str) -> Any:
    return call.fixtures[f"schemas/{name}"]


@operation("getImageSchema")
def get_image_schema(call: Call) -> Any:
    return _schema(call, "image")


@operation("getImagesSchema")
def get_images_schema(call: Call) -> Any:
    return _schema(call, "images")


@operation("getMemberSchema")
def get_member_schema(call: Call) -> Any:
    return _schema(call, "member")


@operation("getMembersSchema")
def get_members_schema(call: Call) -> Any:
    return _schema(call, "members")


@operation("getTaskSchema")
def get_task_schema(call: Call) -> Any:
    return _schema(call, "task")


@operation("getTasksSchema")
def get_tasks_schema(call: Call) -> Any:
    return _schema(call, "tasks")
