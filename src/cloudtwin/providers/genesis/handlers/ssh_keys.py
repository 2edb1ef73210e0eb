"""SSH keys: answered bare (not wrapped), fingerprint/type/size derived from the key."""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from typing import Any

from ....engine.errors import ApiError
from ....engine.provider import Call
from ..common import page_of, refresh_refs, stamp, touch
from ..resources import SSHKey
from . import handlers

KEY_TYPES = {
    "ssh-rsa": "rsa", "ssh-ed25519": "ed25519", "ssh-dss": "dsa",
    "ecdsa-sha2-nistp256": "ecdsa", "ecdsa-sha2-nistp384": "ecdsa", "ecdsa-sha2-nistp521": "ecdsa",
}
FIXED_SIZES = {"ssh-ed25519": 256, "ssh-dss": 1024, "ecdsa-sha2-nistp256": 256,
               "ecdsa-sha2-nistp384": 384, "ecdsa-sha2-nistp521": 521}


def describe_key(value: str) -> tuple[str, int, str]:
    """(type, size in bits, MD5 fingerprint) of an OpenSSH public key, or 400 02047."""
    parts = value.strip().split()
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        raise ApiError("invalid_ssh_key")
    try:
        blob = base64.b64decode(parts[1], validate=True)
        declared = _read_string(blob, 0)[0].decode("ascii")
    except (binascii.Error, ValueError, UnicodeDecodeError, struct.error):
        raise ApiError("invalid_ssh_key") from None
    if declared != parts[0]:
        raise ApiError("invalid_ssh_key", "the key's type does not match its data")
    size = FIXED_SIZES.get(parts[0]) or _rsa_bits(blob)
    digest = hashlib.md5(blob).hexdigest()  # noqa: S324 - the provider shows the MD5 form
    return KEY_TYPES[parts[0]], size, ":".join(digest[i:i + 2] for i in range(0, 32, 2))


def _read_string(blob: bytes, offset: int) -> tuple[bytes, int]:
    (length,) = struct.unpack_from(">I", blob, offset)
    end = offset + 4 + length
    if end > len(blob):
        raise ValueError("truncated key")
    return blob[offset + 4:end], end


def _rsa_bits(blob: bytes) -> int:
    _, offset = _read_string(blob, 0)
    _, offset = _read_string(blob, offset)  # public exponent
    modulus, _ = _read_string(blob, offset)
    return int.from_bytes(modulus, "big").bit_length()


def _key(call: Call) -> SSHKey:
    return call.records.get(SSHKey, call.path["ssh_key_id"], message="SSH key not found")


def _check_name(call: Call, name: str, own_id: str | None = None) -> None:
    if any(k.name == name and k.id != own_id for k in call.records.rows(SSHKey)):
        raise ApiError("name_taken", f"an SSH key named {name!r} exists")


@handlers("listSSHKeys")
def list_ssh_keys(call: Call) -> dict[str, Any]:
    return page_of(call, SSHKey, "ssh_keys")


@handlers("getSSHKey")
def get_ssh_key(call: Call) -> dict[str, Any]:
    return _key(call).data


@handlers("createSSHKey")
def create_ssh_key(call: Call) -> dict[str, Any]:
    body = call.body
    key_type, size, fingerprint = describe_key(body["value"])
    _check_name(call, body["name"])
    key_id = call.ids.uuid4()
    now = stamp(call)
    row = call.records.add(SSHKey, key_id, {
        "id": key_id, "name": body["name"], "value": body["value"].strip(), "fingerprint": fingerprint,
        "type": key_type, "size": size, "created_at": now, "updated_at": now,
    })
    return row.data


@handlers("updateSSHKey")
def update_ssh_key(call: Call) -> dict[str, Any]:
    row = _key(call)
    if "name" in call.body:
        _check_name(call, call.body["name"], row.id)
        row.name = call.body["name"]
        refresh_refs(call, row)
    touch(row, call)
    return row.data


@handlers("deleteSSHKey")
def delete_ssh_key(call: Call) -> None:
    call.records.remove(SSHKey, _key(call).id)
