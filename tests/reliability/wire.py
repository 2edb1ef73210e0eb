"""HTTP helpers shared by the reliability tests: who to call, with what, and how to read every page."""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Any, Iterator

import requests

GENESIS = "/genesis/compute/v1"
BARRACK = "/barrack/api/v1"
IMAGES = "/rackspace/images/DFW"
IDENTITY = "/rackspace/identity"
FILES_DFW = "/rackspace/files/DFW/v1/MossoCloudFS_9c2e1c4b-8f2e-4c5a-a1d4-0e7b6f3a2d19"  # the default account's

GENESIS_TOKENS = {"default": "gc-default-0000000000000000000000", "other": "gc-other-00000000000000000000000",
                  "legacy": "gc-legacy-0000000000000000000000"}
BARRACK_KEYS = {"default": "bk-default-0000000000000000000000", "other": "bk-other-00000000000000000000000",
                "legacy": "bk-legacy-0000000000000000000000"}
RACKSPACE_LOGINS = {"default": ("twinuser", "Twin-passw0rd", "100001"), "other": ("otheruser", "Other-passw0rd", "100002"),
                    "legacy": ("legacyuser", "Legacy-passw0rd", "100003")}


def ed25519_key(n: int = 0) -> str:
    def field(raw: bytes) -> bytes:
        return struct.pack(">I", len(raw)) + raw
    blob = field(b"ssh-ed25519") + field(hashlib.sha256(f"rel-{n}".encode()).digest())
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} rel{n}@host"


def rackspace_token(http: Any, base: str, account: str) -> str:
    """A token from the twin's own identity endpoint (`http`: a requests session or a Flask test client)."""
    username, password, _ = RACKSPACE_LOGINS[account]
    body = {"auth": {"passwordCredentials": {"username": username, "password": password}}}
    reply = http.post(f"{base}{IDENTITY}/v2.0/tokens", json=body)
    status = getattr(reply, "status_code")
    assert status == 200, status
    data = reply.json() if callable(getattr(reply, "json", None)) else reply.get_json()
    return str(data["access"]["token"]["id"])


def headers_for(provider: str, account: str, rackspace_tokens: dict[str, str] | None = None) -> dict[str, str]:
    if provider == "genesis":
        return {"Authorization": f"Bearer {GENESIS_TOKENS[account]}"}
    if provider == "barrack":
        return {"X-API-Key": BARRACK_KEYS[account]}
    assert rackspace_tokens is not None
    return {"X-Auth-Token": rackspace_tokens[account], "Accept": "application/json"}


def genesis_all(session: requests.Session, url: str, path: str, key: str, headers: dict[str, str]) -> list[dict]:
    out: list[dict] = []
    page = 1
    while True:
        reply = session.get(f"{url}{GENESIS}{path}", params={"page": page, "per_page": 100}, headers=headers, timeout=60)
        assert reply.status_code == 200, reply.text
        items = reply.json()[key]
        if not items:
            return out
        out += items
        page += 1


def barrack_all(session: requests.Session, url: str, path: str, key: str, headers: dict[str, str]) -> list[dict]:
    out: list[dict] = []
    page = 1
    while True:
        reply = session.get(f"{url}{BARRACK}{path}", params={"page": page, "page_size": 100}, headers=headers, timeout=60)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        out += body[key]
        if page >= body["pagination"]["total_pages"]:
            return out
        page += 1


def rackspace_all(session: requests.Session, url: str, path: str, key: str, headers: dict[str, str],
                  **params: Any) -> list[dict]:
    """Follow Glance's `next` links (marker paging)."""
    out: list[dict] = []
    reply = session.get(f"{url}{IMAGES}{path}", params={"limit": 100, **params}, headers=headers, timeout=60)
    while True:
        assert reply.status_code == 200, reply.text
        body = reply.json()
        out += body[key]
        nxt = body.get("next")
        if not nxt or not body[key]:
            return out
        reply = session.get(f"{url}{IMAGES}{nxt}", headers=headers, timeout=60)


def iter_pairs(items: list[Any]) -> Iterator[tuple[Any, Any]]:
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            yield a, b
