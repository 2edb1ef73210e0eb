"""The JWT pair and the user's API keys."""

from __future__ import annotations

from typing import Any

from ....engine.clock import iso
from ....engine.errors import ApiError
from ....engine.provider import Call
from .. import auth
from ..resources import ApiKey, ApiKeySecret
from ..common import (limit, message, newest_first, next_id, owned, paged, require_name_free,
                      require_room, stamp)
from . import handlers


@handlers("obtainToken")
def obtain_token(call: Call) -> dict[str, Any]:
    body = call.body
    account = call.accounts.first(lambda creds: creds.get("email", "").lower() == body["email"].lower()
                                  and creds.get("password") == body["password"])
    if account is None:
        raise ApiError("no_active_account")
    return {"access": auth.issue(call, account.id, "access"), "refresh": auth.issue(call, account.id, "refresh")}


@handlers("refreshToken")
def refresh_token(call: Call) -> dict[str, Any]:
    account = auth.verify(call, call.body["refresh"], "refresh")
    return {"access": auth.issue(call, account.id, "access")}


def _view(row: Any) -> dict[str, Any]:
    meta = row.meta
    return {**row.data, "last_used_at": iso(meta["last_used_at"], millis=False) if meta.get("last_used_at") else None,
            "expires_at": iso(meta["expires_at"], millis=False) if meta.get("expires_at") else None}


@handlers("listApiKeys")
def list_api_keys(call: Call) -> dict[str, Any]:
    return paged(call, "api_keys", newest_first(call.records.rows(ApiKey)), _view)


@handlers("createApiKey")
def create_api_key(call: Call) -> dict[str, Any]:
    body = call.body
    require_room(call, call.records.count(ApiKey), limit(call, "per_account", "api_keys"), "API keys")
    require_name_free(call, ApiKey, body["name"])
    key_id = next_id(call, "api_key")
    prefix, secret = call.ids.token(8), call.ids.token(32)
    key = f"{prefix}.{secret}"
    days = body.get("expires_in_days")
    row = call.records.add(ApiKey, str(key_id), {
        "id": key_id, "name": body["name"], "prefix": prefix, "tier": body.get("tier", "full_access"),
        "created_at": stamp(call)}, {"expires_at": call.now + days * 86400 if days else None, "key": key})
    call.shared.add(ApiKeySecret, key, {"id": str(key_id)})
    call.accounts.index("api_key", key, call.account.id)  # type: ignore[union-attr]
    return message("API key created.", api_key=_view(row), key=key)


@handlers("deleteApiKey")
def delete_api_key(call: Call) -> dict[str, Any]:
    row = owned(call, ApiKey, call.path["api_key_id"], "API key")
    key = row.meta["key"]
    call.accounts.forget("api_key", key)
    call.shared.remove(ApiKeySecret, key)
    call.records.remove(ApiKey, row.id)
    return message("API key revoked.", api_key_id=row.data["id"])
