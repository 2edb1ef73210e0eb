"""Barrack GPU cloud: the provider package.

Registers the prefix (`/barrack`), the spec, how API keys and JWTs are read, how errors look
(DRF's `{"detail", "code"}`), the handlers (one module per resource family), the lifecycle
hooks, the credit-exhaustion timer and the operator's top-up action.
"""

from __future__ import annotations

import json
from functools import partial

from ...engine.errors import ResolvedError
from ...engine.provider import Api, Provider, Rendered, RequestInfo
from ...engine import weather as capacity_weather
from . import auth, billing, contract, hooks, meter, protection, resources, weather  # noqa: F401  (resources declares the stored kinds)
from .common import NAME
from .handlers import handlers

# Where a client puts its credential (spec: securitySchemes): `Authorization: Bearer <key or JWT>`,
# `Authorization: Api-Key <key>`, or the API key alone in `X-API-Key`.
AUTHORIZATION_SCHEMES = ("bearer", "api-key")
API_KEY_HEADER = "X-API-Key"


def render_error(error: ResolvedError, info: RequestInfo) -> Rendered:
    body: dict[str, object] = {"detail": error.message, "code": error.code or error.key}
    if error.key == "invalid_request":
        field = str(error.extra.get("field") or error.extra.get("location") or "non_field_errors")
        body["errors"] = {field: [error.message]}
    return Rendered(json.dumps(body).encode(), "application/json")


def provider() -> Provider:
    api = Api(
        name=NAME,
        spec_file="barrack.yaml",
        handlers=handlers,
        authenticate=partial(auth.authenticate, schemes=AUTHORIZATION_SCHEMES, key_header=API_KEY_HEADER),
        render_error=render_error,
        spec_route="/openapi.yaml",
    )
    return Provider(
        name=NAME,
        apis=[api],
        setup=hooks.setup,
        setup_account=hooks.setup_account,
        new_credentials=auth.new_credentials,
        timers={billing.EXHAUSTED: protection.on_exhausted, capacity_weather.CLEARS: capacity_weather.clears},
        admin_actions={"top_up": billing.top_up, "sell_out": weather.sell_out},
        base_paths={NAME: "/api/v1"},
        client_token=lambda ctx: ctx.account.credentials[NAME]["api_key"],  # type: ignore[union-attr]
        contract_profiles=lambda: contract.PROFILES,
        auth_headers=lambda token: {API_KEY_HEADER: token},
        price=meter.price,
    )
