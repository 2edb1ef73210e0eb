"""The twin's Cloud Files as a tiny Swift API (spec/rackspace-files.yaml), over `objects`."""

from __future__ import annotations

import hashlib
import mimetypes
from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call, Reply
from .. import objects, tokens
from ..common import region_of
from . import files_handlers


def _own_account(call: Call) -> str:
    """Swift refuses another account's path with 403; returns the region."""
    assert call.account is not None
    if call.path["account"] != tokens.object_store_tenant(call, call.account):
        raise ApiError("forbidden")
    return region_of(call)


def _container(call: Call) -> tuple[str, str]:
    region = _own_account(call)
    name = call.path["container"]
    if objects.container(call, region, name) is None:
        raise ApiError("not_found")
    return region, name


@files_handlers("listContainers")
def list_containers(call: Call) -> list[dict[str, Any]]:
    region = _own_account(call)
    out = []
    for row in call.records.rows(objects.CONTAINER):
        if row.meta["region"] == region:
            held = objects.listing(call, region, row.data["name"])
            out.append({"name": row.data["name"], "count": len(held), "bytes": sum(o["bytes"] for o in held)})
    return out


@files_handlers("createContainer")
def create_container(call: Call) -> Reply:
    region = _own_account(call)
    existed = objects.container(call, region, call.path["container"]) is not None
    objects.ensure_container(call, region, call.path["container"])
    return Reply(status=202 if existed else 201)


@files_handlers("listObjects")
def list_objects(call: Call) -> list[dict[str, Any]]:
    region, name = _container(call)
    return [{k: o[k] for k in ("name", "bytes", "content_type", "hash", "last_modified")}
            for o in objects.listing(call, region, name)]


@files_handlers("deleteContainer")
def delete_container(call: Call) -> None:
    region, name = _container(call)
    if objects.listing(call, region, name):
        raise ApiError("container_not_empty")
    call.records.remove(objects.CONTAINER, objects.container(call, region, name).id)  # type: ignore[union-attr]


@files_handlers("putObject")
def put_object(call: Call) -> Reply:
    region, name = _container(call)
    body: bytes = call.body or b""
    digest = hashlib.md5(body).hexdigest()
    objects.put(call, region, name, call.path["object"], {
        "bytes": len(body), "content_type": _content_type(call), "hash": digest})
    return Reply(status=201, headers={"ETag": digest})


def _content_type(call: Call) -> str:
    """As sent; without one, Swift's proxy guesses from the object's name, else octet-stream."""
    sent = call.request.headers.get("content-type", "").strip()
    if sent:
        return sent
    guessed, _ = mimetypes.guess_type(call.path["object"])
    return guessed or "application/octet-stream"


@files_handlers("deleteObject")
def delete_object(call: Call) -> None:
    region, name = _container(call)
    objects.delete(call, region, name, call.path["object"])
