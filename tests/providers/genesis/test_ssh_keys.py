"""SSH keys: answered bare (not wrapped); fingerprint, type and size derived; unique names; isolation."""

from __future__ import annotations

import base64
import struct

import pytest

from twinhelp import create_ssh_key, ed25519_key, expect_empty_204, expect_error, get, md5_fingerprint, rsa_key

FIELDS = {"id", "name", "value", "fingerprint", "type", "size", "created_at", "updated_at"}


def test_create_answers_201_with_the_bare_key(gc):
    value = ed25519_key(1)
    resp = gc.post("/ssh-keys", json={"name": "laptop", "value": value})
    assert resp.status_code == 201
    key = resp.get_json()
    assert set(key) == FIELDS  # bare: no {"ssh_key": ...} wrapper
    assert key["name"] == "laptop" and key["value"] == value
    assert key["type"] == "ed25519" and key["size"] == 256
    assert key["fingerprint"] == md5_fingerprint(value)
    assert len(key["fingerprint"].split(":")) == 16


def test_get_update_and_list(gc):
    key = create_ssh_key(gc)
    assert get(gc, f"/ssh-keys/{key['id']}") == key  # bare
    resp = gc.patch(f"/ssh-keys/{key['id']}", json={"name": "desktop"})
    assert resp.status_code == 200
    updated = resp.get_json()
    assert set(updated) == FIELDS and updated["name"] == "desktop" and updated["value"] == key["value"]
    listing = get(gc, "/ssh-keys")
    assert listing == {"ssh_keys": [updated], "total_count": 1, "page": 1, "per_page": 50}


@pytest.mark.parametrize("bits", [2048, 3072, 4096])
def test_rsa_size_comes_from_the_modulus(gc, bits):
    value = rsa_key(bits)
    key = create_ssh_key(gc, value=value)
    assert key["type"] == "rsa" and key["size"] == bits and key["fingerprint"] == md5_fingerprint(value)


def test_value_is_stored_trimmed(gc):
    value = ed25519_key(2)
    key = create_ssh_key(gc, value=f"  {value}\n")
    assert key["value"] == value


@pytest.mark.parametrize("value", [
    "not a key",
    "ssh-ed25519",
    "ssh-ed25519 !!!notbase64!!!",
    "ssh-foo AAAAB3NzaC1yc2EAAAADAQABAAABAQ",
    "ssh-rsa " + base64.b64encode(struct.pack(">I", 100) + b"ssh-rsa").decode(),  # truncated
])
def test_invalid_values_answer_02047(gc, value):
    expect_error(gc.post("/ssh-keys", json={"name": "k", "value": value}), 400, "02047")
    assert get(gc, "/ssh-keys")["total_count"] == 0


def test_declared_type_must_match_the_key_data(gc):
    data = ed25519_key().split()[1]
    body = expect_error(gc.post("/ssh-keys", json={"name": "k", "value": f"ssh-rsa {data}"}), 400, "02047")
    assert "match" in body["message"]


def test_names_are_unique_per_account(gc, other):
    key = create_ssh_key(gc, name="laptop")
    expect_error(gc.post("/ssh-keys", json={"name": "laptop", "value": ed25519_key(9)}), 409, "02041")
    second = create_ssh_key(gc, name="desktop")
    expect_error(gc.patch(f"/ssh-keys/{second['id']}", json={"name": "laptop"}), 409, "02041")
    assert gc.patch(f"/ssh-keys/{key['id']}", json={"name": "laptop"}).status_code == 200
    assert create_ssh_key(other, name="laptop")["name"] == "laptop"


@pytest.mark.parametrize("body", [{"name": "k"}, {"value": ed25519_key()}, {"name": "", "value": ed25519_key()},
                                  {"name": "k", "value": ""}])
def test_invalid_bodies(gc, body):
    expect_error(gc.post("/ssh-keys", json=body), 400, "02002")


def test_delete_is_immediate(gc):
    key = create_ssh_key(gc)
    expect_empty_204(gc.delete(f"/ssh-keys/{key['id']}"))
    body = expect_error(gc.get(f"/ssh-keys/{key['id']}"), 404, "02006")
    assert "SSH key" in body["message"]
    expect_error(gc.delete(f"/ssh-keys/{key['id']}"), 404, "02006")
    assert get(gc, "/ssh-keys")["total_count"] == 0


def test_isolation(gc, other):
    key = create_ssh_key(gc)
    for call in (other.get(f"/ssh-keys/{key['id']}"), other.patch(f"/ssh-keys/{key['id']}", json={"name": "x"}),
                 other.delete(f"/ssh-keys/{key['id']}")):
        expect_error(call, 404, "02006")
    assert get(other, "/ssh-keys")["total_count"] == 0
    assert get(gc, f"/ssh-keys/{key['id']}")["name"] == "laptop"
