"""Rackspace Identity v2.0: the version document, POST /v2.0/tokens and GET /v2.0/tenants."""

from __future__ import annotations

from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call
from ....engine.store import Account, Row
from .. import tokens
from ..common import NAME, settings, tenant_of
from . import identity_handlers

CREDENTIALS = {"passwordCredentials": ("password", "password", "bad_password"),
               "RAX-KSKEY:apiKeyCredentials": ("apiKey", "api_key", "bad_api_key")}


def _version(call: Call) -> dict[str, Any]:
    raw = call.fixtures["versions"]["identity"]
    return {"version": {
        "id": raw["id"], "status": raw["status"], "updated": raw["updated"],
        "links": [{"rel": "self", "href": f"{call.request.base_url}/v2.0/"},
                  {"rel": "describedby", "type": "text/html", "href": raw["describedby"]}],
        "media-types": list(raw["media_types"]),
    }}


@identity_handlers("getIdentityVersion")
def get_identity_version(call: Call) -> dict[str, Any]:
    return _version(call)


@identity_handlers("getIdentityVersionSlash")
def get_identity_version_slash(call: Call) -> dict[str, Any]:
    return _version(call)


def _check_credentials(call: Call, auth: dict[str, Any]) -> tuple[Account, str]:
    """The account whose user and secret match, or 401/403 as Rackspace answers."""
    if "tenantId" in auth and "tenantName" in auth:
        raise ApiError("tenant_id_and_name")
    if "token" in auth:
        return _check_token(call, auth)
    kind = next(k for k in CREDENTIALS if k in auth)
    secret_field, stored_field, refusal = CREDENTIALS[kind]
    given = auth[kind]
    account = call.accounts.by_credential("username", given["username"])
    stored = account.credentials.get(NAME, {}) if account else {}
    if account is None or str(stored.get(stored_field)) != given[secret_field]:
        raise ApiError(refusal)
    if settings(account).get("disabled"):
        raise ApiError("user_disabled", username=given["username"])
    _check_tenant(call, account, auth)
    return account, call.fixtures["identity"]["authenticated_by"][kind]


def _check_token(call: Call, auth: dict[str, Any]) -> tuple[Account, str]:
    """Authenticate as tenant with token: a live token of a user who may use that tenant."""
    token = tokens.valid(call, auth["token"]["id"])
    account = call.accounts.by_id(token.account) if token else None
    if token is None or account is None:
        raise ApiError("token_not_authenticated")
    if settings(account).get("disabled"):
        raise ApiError("user_disabled", username=account.credentials.get(NAME, {}).get("username", ""))
    _check_tenant(call, account, auth)
    return account, str(token.data["method"])


def _check_tenant(call: Call, account: Account, auth: dict[str, Any]) -> None:
    tenant = auth.get("tenantId") or auth.get("tenantName")
    if tenant is not None and tenant not in tokens.tenants_of(call, account):
        raise ApiError("tenant_mismatch", tenant=tenant)


@identity_handlers("authenticate")
def authenticate(call: Call) -> dict[str, Any]:
    auth = call.body["auth"]
    account, method = _check_credentials(call, auth)
    ctx = call.for_account(account)
    token = tokens.issue(ctx, account, method, auth.get("tenantId") or auth.get("tenantName"))
    return {"access": {"token": _token_body(token, account, method), "user": _user(call, account, token),
                       "serviceCatalog": _catalog(call, account)}}


@identity_handlers("listTenants")
def list_tenants(call: Call) -> dict[str, Any]:
    """The tenants the token's user may use (the account and its Cloud Files tenant)."""
    account = call.account
    assert account is not None
    number = tenant_of(account)
    descriptions = [f"Cloud account {number}.", f"Cloud Files of account {number}."]
    enabled = not settings(account).get("disabled")
    wanted = call.query.get("name")
    return {"tenants": [{"id": tenant, "name": tenant, "description": description, "enabled": enabled}
                        for tenant, description in zip(tokens.tenants_of(call, account), descriptions)
                        if wanted is None or tenant == wanted],
            "tenants_links": []}


def _token_body(token: Row, account: Account, method: str) -> dict[str, Any]:
    tenant = str(token.data.get("tenant") or tenant_of(account))
    return {"id": token.id, "expires": token.data["expires"], "tenant": {"id": tenant, "name": tenant},
            "RAX-AUTH:authenticatedBy": [method]}


def _user(call: Call, account: Account, token: Row) -> dict[str, Any]:
    credentials = account.credentials.get(NAME, {})
    return {"id": str(credentials.get("user_id", tenant_of(account))), "name": credentials["username"],
            "RAX-AUTH:defaultRegion": call.fixtures["identity"]["user"]["default_region"],
            "RAX-AUTH:domainId": tenant_of(account), "roles": token.data["roles"]}


def _catalog(call: Call, account: Account) -> list[dict[str, Any]]:
    """One endpoint per region for each service, pointing back at this twin."""
    twin_root = call.request.base_url.rsplit("/rackspace/", 1)[0]
    regions = call.fixtures["regions"]["regions"]
    tenants = {"account": tenant_of(account), "object_store_tenant": tokens.object_store_tenant(call, account)}
    services = []
    for entry in call.fixtures["regions"]["catalog"]:
        tenant = tenants[entry["tenant"]]
        endpoints = []
        for code, region in regions.items():
            url = region[entry["endpoint"]]["twin_public_url"]
            endpoints.append({"publicURL": url.format(twin=twin_root, object_store_tenant=tenant),
                              "region": code, "tenantId": tenant})
        services.append({"name": entry["name"], "type": entry["type"], "endpoints": endpoints})
    return services
