"""SSH keys: generated (private key shown once) or imported; copied to every region."""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call
from ..common import limit, message, newest_first, next_id, owned, paged, require_name_free, require_room, stamp
from . import handlers
from ..resources import Instance, SSHKey


def fingerprint(public_key: str) -> str:
    """OpenSSH's SHA256 fingerprint of the key blob (of the text itself when it is not base64)."""
    text = public_key.split()[1]
    try:
        blob = base64.b64decode(text + "=" * (-len(text) % 4))
    except ValueError:  # the twin checks the key's shape only (spec: createSshKey)
        blob = text.encode()
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _generated_pair(call: Call, name: str) -> tuple[str, str]:
    """A seeded, well-formed ssh-rsa public key and a PEM-shaped private key (not a usable pair)."""
    rng = call.ids.rng("ssh-keys")
    modulus = bytes([0]) + rng.getrandbits(2048).to_bytes(256, "big")

    def field(raw: bytes) -> bytes:
        return struct.pack(">I", len(raw)) + raw

    blob = field(b"ssh-rsa") + field(b"\x01\x00\x01") + field(modulus)
    public = f"ssh-rsa {base64.b64encode(blob).decode()} {name}@barrack"
    body = base64.b64encode(rng.getrandbits(8 * 1190).to_bytes(1190, "big")).decode()
    lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    return public, f"-----BEGIN RSA PRIVATE KEY-----\n{lines}\n-----END RSA PRIVATE KEY-----\n"


@handlers("listSshKeys")
def list_ssh_keys(call: Call) -> dict[str, Any]:
    return paged(call, "ssh_keys", newest_first(call.records.rows(SSHKey)), lambda r: r.data)


@handlers("getSshKey")
def get_ssh_key(call: Call) -> dict[str, Any]:
    return {"ssh_key": owned(call, SSHKey, call.path["ssh_key_id"], "SSH key").data}


@handlers("createSshKey")
def create_ssh_key(call: Call) -> dict[str, Any]:
    body = call.body
    require_room(call, call.records.count(SSHKey), limit(call, "per_account", "ssh_keys"), "SSH keys")
    require_name_free(call, SSHKey, body["name"])
    if body.get("public_key"):
        public, private = body["public_key"].strip(), None
    else:
        public, private = _generated_pair(call, body["name"])
    print_ = fingerprint(public)
    if any(r.fingerprint == print_ for r in call.records.rows(SSHKey)):
        raise ApiError("conflict", "This public key is already on the account.")
    key_id = next_id(call, "ssh_key")
    row = call.records.add(SSHKey, str(key_id), {
        "id": key_id, "name": body["name"], "public_key": public, "fingerprint": print_,
        "key_type": public.split()[0], "regions": [r["code"] for r in call.fixtures["regions"]["regions"]],
        "created_at": stamp(call)})
    return message("SSH key created." if private else "SSH key imported.", ssh_key=row.data, private_key=private)


@handlers("deleteSshKey")
def delete_ssh_key(call: Call) -> dict[str, Any]:
    row = owned(call, SSHKey, call.path["ssh_key_id"], "SSH key")
    if any(row.data["id"] in Instance.ssh_key_ids.peek(vm) for vm in call.records.rows(Instance)):
        raise ApiError("ssh_key_in_use")
    call.records.remove(SSHKey, row.id)
    return message("SSH key deleted.", ssh_key_id=row.data["id"])
