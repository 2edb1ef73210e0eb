"""Startup scripts and SSH keys: names, limits, bulk delete, generate vs import, in-use keys."""

from __future__ import annotations

from .helpers import Barrack, ed25519_key, expect_error


def test_script_crud_with_full_replacement_on_update(bk: Barrack) -> None:
    script = bk.ok(bk.post("/scripts/", json={"name": "setup", "description": "tools", "content": "#!/bin/sh\n"}), 201)
    sid = script["script"]["id"]
    expect_error(bk.post("/scripts/", json={"name": "setup", "content": "x"}), 409, "name_taken")
    updated = bk.ok(bk.put(f"/scripts/{sid}/", json={"name": "setup-v2", "content": "echo hi"}))["script"]
    assert updated["description"] is None and updated["content"] == "echo hi"
    bk.ok(bk.post("/scripts/", json={"name": "other", "content": "x"}), 201)
    expect_error(bk.put(f"/scripts/{sid}/", json={"name": "other", "content": "x"}), 409, "name_taken")
    assert bk.ok(bk.get(f"/scripts/{sid}/"))["script"]["name"] == "setup-v2"
    expect_error(bk.post("/scripts/", json={"name": "big", "content": "x" * 16385}), 400, "invalid")
    bk.ok(bk.delete(f"/scripts/{sid}/"))
    expect_error(bk.get(f"/scripts/{sid}/"), 404)


def test_bulk_delete_reports_what_it_could_not_find(bk: Barrack, other: Barrack) -> None:
    ids = [bk.ok(bk.post("/scripts/", json={"name": f"s{n}", "content": "x"}), 201)["script"]["id"] for n in range(3)]
    theirs = other.ok(other.post("/scripts/", json={"name": "theirs", "content": "x"}), 201)["script"]["id"]
    result = bk.ok(bk.post("/scripts/bulk-delete/", json={"script_ids": [ids[0], ids[2], theirs, 999]}))
    assert result["deleted_ids"] == [ids[0], ids[2]] and result["not_found_ids"] == [theirs, 999]
    assert [s["id"] for s in bk.ok(bk.get("/scripts/"))["scripts"]] == [ids[1]]
    assert other.ok(other.get(f"/scripts/{theirs}/"))["script"]["name"] == "theirs"


def test_generated_keys_show_the_private_key_once_and_reach_every_region(bk: Barrack) -> None:
    made = bk.ok(bk.post("/ssh-keys/", json={"name": "generated"}), 201)
    assert made["private_key"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    key = made["ssh_key"]
    assert key["key_type"] == "ssh-rsa" and key["fingerprint"].startswith("SHA256:") and len(key["regions"]) == 4
    assert "private_key" not in bk.ok(bk.get(f"/ssh-keys/{key['id']}/"))["ssh_key"]
    imported = bk.ok(bk.post("/ssh-keys/", json={"name": "laptop", "public_key": ed25519_key(1)}), 201)
    assert imported["private_key"] is None and imported["ssh_key"]["key_type"] == "ssh-ed25519"
    expect_error(bk.post("/ssh-keys/", json={"name": "dup", "public_key": ed25519_key(1)}), 409, "conflict")
    expect_error(bk.post("/ssh-keys/", json={"name": "laptop"}), 409, "name_taken")
    expect_error(bk.post("/ssh-keys/", json={"name": "bad", "public_key": "ssh-foo AAAA"}), 400, "invalid")


def test_at_most_25_keys_and_keys_in_use_cannot_be_deleted(bk: Barrack) -> None:
    ids = [bk.ssh_key(f"k{n}", n) for n in range(25)]
    expect_error(bk.post("/ssh-keys/", json={"name": "k25", "public_key": ed25519_key(25)}), 409, "limit_reached")
    vm = bk.deploy(ssh_key_ids=[ids[0]])["instance"]
    expect_error(bk.delete(f"/ssh-keys/{ids[0]}/"), 409, "ssh_key_in_use")
    bk.ok(bk.delete(f"/ssh-keys/{ids[1]}/"))
    bk.advance(90)
    bk.ok(bk.delete(f"/instances/{vm['id']}/"))
    bk.advance(20)
    bk.ok(bk.delete(f"/ssh-keys/{ids[0]}/"))
