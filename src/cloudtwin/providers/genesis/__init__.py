"""Genesis Cloud compute v1: the provider package.

Registers the prefix (`/genesis`), the spec, how tokens are read, how errors look, the
handlers (one module per resource family); `resources` declares what it stores.
"""

from __future__ import annotations

import json

from ...engine.errors import ApiError, ResolvedError
from ...engine.provider import Api, Context, Provider, ProviderIds, Rendered, RequestInfo
from ...engine.store import Account
from ...engine import weather as capacity_weather
from . import contract, hooks, resources, weather  # noqa: F401  (resources declares the kinds this provider stores)
from .handlers import handlers

NAME = "genesis"


def authenticate(info: RequestInfo, ctx: Context) -> Account:
    """`Authorization: Bearer` (current) or `X-Auth-Token` (deprecated, still what Terraform sends)."""
    header = info.headers.get("authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else info.headers.get("x-auth-token", "")
    account = ctx.accounts.by_credential("token", token) if token else None
    if account is None:
        raise ApiError("unauthorized")
    return account


def render_error(error: ResolvedError, info: RequestInfo) -> Rendered:
    body = {"code": error.code or "02002", "message": error.message}
    return Rendered(json.dumps(body).encode(), "application/json")


def new_credentials(ids: ProviderIds) -> dict[str, str]:
    return {"token": "gc-" + ids.token(29)}


def provider() -> Provider:
    api = Api(
        name=NAME,
        spec_file="genesis.yaml",
        handlers=handlers,
        authenticate=authenticate,
        render_error=render_error,
        spec_route="/openapi.yaml",
    )
    return Provider(
        name=NAME,
        apis=[api],
        setup_account=hooks.setup_account,
        new_credentials=new_credentials,
        base_paths={NAME: "/compute/v1"},
        client_token=lambda ctx: ctx.account.credentials[NAME]["token"],  # type: ignore[union-attr]
        contract_profiles=lambda: contract.PROFILES,
        auth_headers=lambda token: {"Authorization": f"Bearer {token}"},
        timers={capacity_weather.CLEARS: capacity_weather.clears},
        admin_actions={"sell_out": weather.sell_out},
    )
