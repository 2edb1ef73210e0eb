"""Rackspace Cloud Images v2 (Glance v2 as Rackspace runs it) and Rackspace Identity v2.0.

Three APIs under `/rackspace`: identity issues tokens (provider state, on the twin's clock)
with a catalog pointing back at the twin; images, one mount per region, accepts them;
files is the small Swift subset (Cloud Files) that import and export tasks read and write.
Modules: `tokens` (identity state), `access` (who sees what), `query` (list language),
`jsonpatch` (PATCH rules), `objects` (the twin's Cloud Files), `taskrun` (import/export),
`hooks` (lifecycle), `seed` (fixtures at reset), `operator` (admin actions), `rbac` (roles),
`errors` (error bodies), `views` (bodies), `handlers/` (one module per resource family).
"""

from __future__ import annotations

from ...engine.errors import ApiError
from ...engine.provider import Api, Context, Provider, RequestInfo
from ...engine.store import Account
from . import contract, operator, resources, seed, tokens, views  # noqa: F401  (resources declares the stored kinds)
from .common import NAME
from .errors import render_files_error, render_identity_error, render_images_error, request_id
from .handlers import files_handlers, identity_handlers, images_handlers


def authenticate(info: RequestInfo, ctx: Context, refusal: str = "unauthorized") -> Account:
    """`X-Auth-Token` must name a live token of Rackspace Identity (missing/expired/unknown: 401)."""
    token = tokens.valid(ctx, info.headers.get("x-auth-token", ""))
    account = ctx.accounts.by_id(token.account) if token else None
    if account is None:
        raise ApiError(refusal)
    return account


def identity_token(info: RequestInfo, ctx: Context) -> Account:
    """Identity's own operations (GET /v2.0/tenants) refuse a bad token in Identity's words."""
    return authenticate(info, ctx, refusal="token_invalid")


def provider() -> Provider:
    images = Api(name="rackspace-images", spec_file="rackspace-images.yaml", handlers=images_handlers,
                 authenticate=authenticate, render_error=render_images_error, response_headers=request_id,
                 json_content_type="application/json; charset=UTF-8")
    identity = Api(name="rackspace-identity", spec_file="rackspace-identity.yaml", handlers=identity_handlers,
                   authenticate=identity_token, render_error=render_identity_error)
    files = Api(name="rackspace-files", spec_file="rackspace-files.yaml", handlers=files_handlers,
                authenticate=authenticate, render_error=render_files_error)
    return Provider(
        name=NAME,
        apis=[images, identity, files],
        setup=seed.setup,
        setup_account=seed.setup_account,
        new_credentials=tokens.new_credentials,
        admin_actions=operator.ACTIONS,
        base_paths={"images": "/images/DFW", "identity": "/identity", "files": "/files/DFW/v1"},
        client_token=tokens.client_token,
        auth_headers=lambda token: {"X-Auth-Token": token},
        # The dashboard's resource page: the same views getImage/getTask answer with, with no
        # token minted (which would draw from the seeded id stream) just to look.
        resource_views={"image": lambda ctx, row: views.image(row), "task": lambda ctx, row: views.task(row)},
        contract_profiles=lambda: contract.PROFILES,
    )
