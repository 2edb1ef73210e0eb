"""Credentials: user API keys (three header forms) and simplejwt-style access/refresh tokens.

Tokens are real HS256 JWTs signed with a secret drawn from the twin's seed, and expire on
the virtual clock, so a client can be made to re-authenticate by advancing time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from typing import Any

from ...engine.clock import parse_duration
from ...engine.errors import ApiError
from ...engine.provider import Context, RequestInfo
from ...engine.store import Account
from . import resources

# Writes a read_only key may still make: they only read (spec: ApiKeyAuth).
_READ_ONLY_POSTS = re.compile(r"/(pricing|snapshots/image-relationships)/?$")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="api"'}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _secret(ctx: Context) -> bytes:
    row = ctx.shared.find(resources.Secret, "jwt") or ctx.shared.add(resources.Secret, "jwt", {"key": ctx.ids.token(48)})
    return row.key.encode()


def issue(ctx: Context, account_id: str, kind: str) -> str:
    lifetime = parse_duration(ctx.fixtures["limits"]["auth"][f"{kind}_token_lifetime"])
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps({"token_type": kind, "exp": int(ctx.now + lifetime), "iat": int(ctx.now),
                               "jti": ctx.ids.hex(32), "user_id": account_id}, separators=(",", ":")).encode())
    signature = hmac.new(_secret(ctx), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def verify(ctx: Context, token: str, kind: str) -> Account:
    """The account a token of this kind names, or 401 token_not_valid (forged, expired, wrong kind)."""
    try:
        header, payload, signature = token.split(".")
        expected = hmac.new(_secret(ctx), f"{header}.{payload}".encode(), hashlib.sha256).digest()
        claims: dict[str, Any] = json.loads(_unb64(payload))
        valid = hmac.compare_digest(expected, _unb64(signature))
    except (ValueError, TypeError):
        valid, claims = False, {}
    account = ctx.accounts.by_id(str(claims.get("user_id")))
    if not valid or claims.get("token_type") != kind or account is None:
        raise ApiError("token_not_valid", "Token is invalid.", headers=_CHALLENGE)
    if claims.get("exp", 0) <= ctx.now:
        raise ApiError("token_not_valid", "Token is expired.", headers=_CHALLENGE)
    return account


def _credential(info: RequestInfo, schemes: tuple[str, ...], key_header: str) -> str:
    header = info.headers.get("authorization", "").strip()
    scheme, _, value = header.partition(" ")
    if scheme.lower() in schemes and value.strip():
        return value.strip()
    return info.headers.get(key_header.lower(), "").strip()


def authenticate(info: RequestInfo, ctx: Context, *, schemes: tuple[str, ...], key_header: str) -> Account:
    """The account behind an API key or a JWT access token, in any of the accepted header forms."""
    credential = _credential(info, schemes, key_header)
    if not credential:
        raise ApiError("unauthorized", headers=_CHALLENGE)
    if credential.count(".") == 2:  # a JWT: full access
        return verify(ctx, credential, "access")
    account = ctx.accounts.by_credential("api_key", credential)
    if account is None:
        raise ApiError("authentication_failed", headers=_CHALLENGE)
    key = ctx.shared.find(resources.ApiKeySecret, credential)
    if key is not None:
        _check_key(ctx.for_account(account), key.data, info)
    return account


def _check_key(ctx: Context, key: dict[str, Any], info: RequestInfo) -> None:
    """Keys made through the API carry a tier and an expiry; the console key has neither."""
    row = ctx.records.find(resources.ApiKey, key["id"])
    if row is None or (row.meta.get("expires_at") is not None and row.meta["expires_at"] <= ctx.now):
        raise ApiError("authentication_failed", "The API key has expired.", headers=_CHALLENGE)
    if row.data["tier"] == "read_only" and info.method not in ("GET", "HEAD", "OPTIONS") \
            and not (info.method == "POST" and _READ_ONLY_POSTS.search(info.path)):
        raise ApiError("read_only_key")
    row.meta["last_used_at"] = ctx.now


def new_credentials(ids: Any) -> dict[str, str]:
    return {"api_key": "bk-" + ids.token(32), "email": f"{ids.hex(8)}@example.com",
            "password": ids.token(16), "currency": "USD"}
