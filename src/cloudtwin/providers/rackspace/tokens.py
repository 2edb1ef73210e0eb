"""Identity tokens as provider state: one `token` row per issued token.

A token belongs to an account, carries the roles the user had when it was issued and
expires on the twin's clock; the images API accepts it until then. A token is also a
credential of its account (`ctx.accounts`), which is how a request's token finds its row.
"""

from __future__ import annotations

from typing import Any

from ...engine.clock import iso, parse_duration
from ...engine.provider import Context, ProviderIds
from ...engine.store import Account
from .common import settings, tenant_of
from .resources import Token

CREDENTIAL = "token"


def roles_of(ctx: Context, account: Account) -> list[dict[str, Any]]:
    """The user's roles: the fixture's account-owner roles, or `settings.rackspace.roles`."""
    chosen = settings(account).get("roles")
    if chosen is not None:
        return [{"id": str(100 + i), "name": str(name), "description": f"{name} role."}
                for i, name in enumerate(chosen)]
    files_tenant = object_store_tenant(ctx, account)
    roles = []
    for role in ctx.fixtures["identity"]["user"]["roles"]:
        entry = {k: role[k] for k in ("id", "name", "description")}
        if role.get("tenant") == "account":
            entry["tenantId"] = tenant_of(account)
        elif role.get("tenant") == "object_store_tenant":
            entry["tenantId"] = files_tenant
        roles.append(entry)
    return roles


def object_store_tenant(ctx: Context, account: Account) -> str:
    seeded = (ctx.fixtures["object_store"].get("accounts") or {}).get(account.id) or {}
    return str(seeded.get("object_store_tenant") or f"MossoCloudFS_{tenant_of(account)}")


def lifetime(ctx: Context) -> float:
    return parse_duration(ctx.fixtures["identity"]["token"]["lifetime"])


def tenants_of(ctx: Context, account: Account) -> list[str]:
    """The tenants the account's user may use: the account number, then its Cloud Files tenant."""
    return [tenant_of(account), object_store_tenant(ctx, account)]


def issue(ctx: Context, account: Account, method: str, tenant: str | None = None) -> Token:
    """A fresh token for the account (`ctx` is the account's), valid for the fixture's lifetime.

    The account's expired tokens go first: kept, they would pile up with every login for as
    long as the twin runs. Oldest first, so the sweep stops at the first live one."""
    assert ctx.account is account
    expired = []
    for row in ctx.records.rows(Token):
        if row.expires_at > ctx.now:
            break
        expired.append(row.id)
    for row_id in expired:
        ctx.records.remove(Token, row_id)
        ctx.accounts.forget(CREDENTIAL, row_id)
    token_id = ctx.ids.hex(32)
    expires = ctx.now + lifetime(ctx)
    row = ctx.records.add(Token, token_id, {
        "id": token_id, "expires": iso(expires), "method": method,
        "tenant": tenant or tenant_of(account), "roles": roles_of(ctx, account),
    }, {"expires_at": expires})
    ctx.accounts.index(CREDENTIAL, token_id, account.id)
    return row


def valid(ctx: Context, token: str) -> Token | None:
    account = ctx.accounts.by_credential(CREDENTIAL, token) if token else None
    row = ctx.for_account(account).records.find(Token, token) if account else None
    if row is None or row.expires_at <= ctx.now:  # runs outside the lock: a scalar read leaves it packed
        return None
    return row


def client_token(ctx: Context) -> str:
    """What a scenario client of this account holds: its newest live token, else a new one."""
    account = ctx.account
    assert account is not None
    live = next((row for row in ctx.records.rows(Token, reverse=True) if row.expires_at > ctx.now), None)
    return (live or issue(ctx, account, "PASSWORD")).id


def new_credentials(ids: ProviderIds) -> dict[str, str]:
    tenant = ids.digits(6)
    return {"username": f"user{tenant}", "password": ids.token(16), "api_key": ids.hex(32), "tenant_id": tenant}
