"""Filesystems: not for legacy accounts, mount details once created, grow-only, delete, isolation."""

from __future__ import annotations

import uuid

import pytest

from twinhelp import (
    FILESYSTEM_CREATING, FILESYSTEM_DELETING, MUC, NORD, advance, create_filesystem, expect_empty_204, expect_error,
    get,
)

FIELDS = {"id", "name", "description", "type", "size", "region", "status", "mount_endpoint_range", "mount_base_path",
          "created_at", "updated_at"}


def test_create_answers_201_wrapped_without_mount_details(gc):
    resp = gc.post("/filesystems", json={"name": "shared", "size": 100, "region": NORD, "description": "d"})
    assert resp.status_code == 201
    body = resp.get_json()
    assert set(body) == {"filesystem"}
    fs = body["filesystem"]
    assert set(fs) == FIELDS
    assert fs["status"] == "creating" and fs["type"] == "vast" and fs["size"] == 100 and fs["description"] == "d"
    assert fs["mount_endpoint_range"] is None and fs["mount_base_path"] is None
    assert get(gc, f"/filesystems/{fs['id']}") == {"filesystem": fs}
    assert get(gc, "/filesystems")["filesystems"] == [fs]


def test_created_after_20s_with_the_regions_mount_range(gc):
    fs = create_filesystem(gc, region=MUC)
    advance(gc, FILESYSTEM_CREATING - 1)
    assert get(gc, f"/filesystems/{fs['id']}", "filesystem")["status"] == "creating"
    advance(gc, 1)
    created = get(gc, f"/filesystems/{fs['id']}", "filesystem")
    assert created["status"] == "created"
    assert created["mount_endpoint_range"] == ["10.201.0.10", "10.201.0.20"]
    assert created["mount_base_path"].startswith("/")
    uuid.UUID(created["mount_base_path"][1:])


@pytest.mark.parametrize("body", [
    {"name": "x", "size": 0, "region": NORD},
    {"name": "x", "size": 1000001, "region": NORD},
    {"name": "x", "size": 10, "region": NORD, "type": "nfs"},
    {"name": "x", "size": 10},
    {"size": 10, "region": NORD},
])
def test_invalid_create_bodies(gc, body):
    expect_error(gc.post("/filesystems", json=body), 400, "02002")


def test_update_and_grow_only(gc):
    fs = create_filesystem(gc, size=100)
    resp = gc.patch(f"/filesystems/{fs['id']}", json={"name": "n", "description": "dd", "size": 150})
    assert resp.status_code == 200
    updated = resp.get_json()["filesystem"]
    assert (updated["name"], updated["description"], updated["size"]) == ("n", "dd", 150)
    body = expect_error(gc.patch(f"/filesystems/{fs['id']}", json={"size": 149, "name": "m"}), 400, "02042")
    assert "grow" in body["message"]
    assert get(gc, f"/filesystems/{fs['id']}", "filesystem")["name"] == "n"


def test_delete_shows_deleting_then_404(gc):
    fs = create_filesystem(gc)
    advance(gc, FILESYSTEM_CREATING)
    expect_empty_204(gc.delete(f"/filesystems/{fs['id']}"))
    assert get(gc, f"/filesystems/{fs['id']}", "filesystem")["status"] == "deleting"
    expect_error(gc.delete(f"/filesystems/{fs['id']}"), 409, "02037")
    advance(gc, FILESYSTEM_DELETING)
    expect_error(gc.get(f"/filesystems/{fs['id']}"), 404, "02006")
    assert get(gc, "/filesystems")["total_count"] == 0


def test_legacy_accounts_get_403_on_every_filesystem_operation(legacy, gc):
    fs = create_filesystem(gc)
    calls = [
        legacy.get("/filesystems"),
        legacy.post("/filesystems", json={"name": "x", "size": 10, "region": NORD}),
        legacy.get(f"/filesystems/{fs['id']}"),
        legacy.patch(f"/filesystems/{fs['id']}", json={"name": "x"}),
        legacy.delete(f"/filesystems/{fs['id']}"),
        legacy.get("/filesystems/whatever"),
    ]
    for resp in calls:
        body = expect_error(resp, 403, "02044")
        assert "legacy" in body["message"]
    assert get(gc, "/filesystems")["total_count"] == 1


def test_isolation(gc, other):
    fs = create_filesystem(gc)
    for call in (other.get(f"/filesystems/{fs['id']}"), other.patch(f"/filesystems/{fs['id']}", json={"name": "x"}),
                 other.delete(f"/filesystems/{fs['id']}")):
        expect_error(call, 404, "02006")
    assert get(other, "/filesystems")["total_count"] == 0


def test_update_while_deleting_is_refused(gc):
    fs = create_filesystem(gc)
    advance(gc, FILESYSTEM_CREATING)
    gc.delete(f"/filesystems/{fs['id']}")
    expect_error(gc.patch(f"/filesystems/{fs['id']}", json={"size": 500}), 409, "02037")
    assert get(gc, f"/filesystems/{fs['id']}", "filesystem")["size"] == 100
