"""A twin-side Cloud Files: containers and objects per account and region.

Import tasks read objects from it and export tasks write into it. It is seeded from
fixtures/rackspace/object_store.yaml and driven by operator actions (and the tiny Swift
API in handlers/files.py), so a scenario can make an import fail for a missing object.
"""

from __future__ import annotations

import hashlib
from typing import Any, Mapping

from ...engine.clock import iso
from ...engine.errors import ApiError
from ...engine.provider import Context
from ...engine.store import Row

CONTAINER, OBJECT = "container", "object"


def _account(ctx: Context) -> str:
    assert ctx.account is not None
    return ctx.account.id


def _key(ctx: Context, region: str, *names: str) -> str:
    """Row ids are global to a table: the account comes first."""
    return "/".join((_account(ctx), region, *names))


def container(ctx: Context, region: str, name: str) -> Row | None:
    return ctx.records.find(CONTAINER, _key(ctx, region, name))


def get(ctx: Context, region: str, container_name: str, name: str) -> Row | None:
    return ctx.records.find(OBJECT, _key(ctx, region, container_name, name))


def ensure_container(ctx: Context, region: str, name: str) -> Row:
    row = container(ctx, region, name)
    if row is None:
        row = ctx.records.add(CONTAINER, _key(ctx, region, name), {"name": name}, {"region": region})
    return row


def put(ctx: Context, region: str, container_name: str, name: str, spec: Mapping[str, Any]) -> Row:
    """Create or replace an object (its container must exist). `spec` as in the fixture."""
    if container(ctx, region, container_name) is None:
        raise ApiError("not_found", f"Container {container_name} not found.")
    key = _key(ctx, region, container_name, name)
    ctx.records.remove(OBJECT, key)
    size = int(spec.get("bytes", 0))
    data = {
        "name": name, "bytes": size, "content_type": spec.get("content_type", "application/octet-stream"),
        "hash": spec.get("hash") or hashlib.md5(key.encode()).hexdigest(),
        "last_modified": spec.get("last_modified") or iso(ctx.now, millis=False),
    }
    meta = {"region": region, "container": container_name,
            **{k: spec[k] for k in ("vhd", "import_outcome", "imported_image") if k in spec}}
    return ctx.records.add(OBJECT, key, data, meta)


def delete(ctx: Context, region: str, container_name: str, name: str) -> Row:
    row = get(ctx, region, container_name, name)
    if row is None:
        raise ApiError("not_found", f"Object {container_name}/{name} not found.")
    ctx.records.remove(OBJECT, row.id)
    return row


def listing(ctx: Context, region: str | None = None, container_name: str | None = None) -> list[dict[str, Any]]:
    return [{**row.data, "region": row.meta["region"], "container": row.meta["container"]}
            for row in ctx.records.rows(OBJECT)
            if (region is None or row.meta["region"] == region)
            and (container_name is None or row.meta["container"] == container_name)]


def seed_account(ctx: Context) -> None:
    """Containers and objects of fixtures/rackspace/object_store.yaml for this account."""
    seeded = (ctx.fixtures["object_store"].get("accounts") or {}).get(_account(ctx)) or {}
    for region, content in (seeded.get("regions") or {}).items():
        for container_name, box in (content.get("containers") or {}).items():
            ensure_container(ctx, region, container_name)
            for name, spec in ((box or {}).get("objects") or {}).items():
                put(ctx, region, container_name, name, spec)
