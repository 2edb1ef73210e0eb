"""Seed state at every reset: Rackspace base images, then each account's images and files."""

from __future__ import annotations

from typing import Any, Mapping

from ...engine.provider import Context
from . import objects
from .access import image_key, member_key
from .common import tenant_of
from .resources import Image, Member

_NOT_DATA = ("regions", "owner_account", "members", "properties")


def image_data(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A fixture record as the row's data: core attributes plus flat string properties."""
    data = {k: v for k, v in raw.items() if k not in _NOT_DATA}
    data.setdefault("tags", [])
    data.setdefault("protected", False)
    data.update({str(k): str(v) for k, v in (raw.get("properties") or {}).items()})
    return data


def setup(ctx: Context) -> None:
    for raw in ctx.fixtures["images"].get("base_images") or []:
        for region in raw["regions"]:
            ctx.region(region).add(Image, image_key(region, raw["id"]), image_data(raw))


def setup_account(ctx: Context) -> None:
    account = ctx.account
    assert account is not None
    for raw in ctx.fixtures["images"].get("account_images") or []:
        if raw.get("owner_account") != account.id:
            continue
        for region in raw["regions"]:
            data = image_data(raw)
            data["owner"] = tenant_of(account)
            ctx.region(region).add(Image, image_key(region, raw["id"]), data)
            for member in raw.get("members") or []:
                tenant = _tenant_of_fixture_account(ctx, member["account"])
                ctx.region(region).add(Member, member_key(region, raw["id"], tenant), {
                    "member_id": tenant, "image_id": raw["id"], "status": member["status"],
                    "created_at": member["created_at"], "updated_at": member["updated_at"],
                })
    objects.seed_account(ctx)


def _tenant_of_fixture_account(ctx: Context, account_id: str) -> str:
    """Members may name accounts not added yet: read their tenant from the accounts file."""
    return str(ctx.accounts.seeded_credentials(account_id).get("tenant_id", account_id))
