"""Volumes: create rules (ssd only in NORD-NO-KRS-1, quota), grow-only, lifecycle, delete, isolation."""

from __future__ import annotations

import pytest

from twinhelp import (
    CURRENT_REGIONS, MUC, NORD, VOLUME_CREATING, VOLUME_DELETING, advance, create_instance, create_volume,
    expect_empty_204, expect_error, get,
)

VOLUME_FIELDS = {"id", "name", "description", "type", "size", "region", "instances", "status", "created_at", "updated_at"}


def test_create_answers_201_wrapped_in_creating(gc):
    resp = gc.post("/volumes", json={"name": "data", "size": 50, "region": NORD, "description": "scratch"})
    assert resp.status_code == 201
    body = resp.get_json()
    assert set(body) == {"volume"}
    vol = body["volume"]
    assert set(vol) == VOLUME_FIELDS
    assert vol["status"] == "creating" and vol["type"] == "hdd" and vol["size"] == 50
    assert vol["instances"] == [] and vol["description"] == "scratch" and vol["region"] == NORD
    assert get(gc, f"/volumes/{vol['id']}") == {"volume": vol}
    assert get(gc, "/volumes")["volumes"] == [vol]


def test_description_defaults_to_empty(gc):
    assert create_volume(gc)["description"] == ""


def test_creating_becomes_created_after_10s(gc):
    vol = create_volume(gc)
    advance(gc, VOLUME_CREATING - 1)
    assert get(gc, f"/volumes/{vol['id']}", "volume")["status"] == "creating"
    advance(gc, 1)
    created = get(gc, f"/volumes/{vol['id']}", "volume")
    assert created["status"] == "created"
    assert created["updated_at"] > vol["updated_at"]


def test_ssd_only_in_nord(gc):
    assert create_volume(gc, type="ssd")["type"] == "ssd"
    for region in CURRENT_REGIONS:
        if region == NORD:
            continue
        body = expect_error(gc.post("/volumes", json={"name": "fast", "size": 10, "region": region, "type": "ssd"}),
                            400, "02045")
        assert region in body["message"]
        assert create_volume(gc, region=region, type="hdd")["type"] == "hdd"
    assert all(v["type"] == "hdd" or v["region"] == NORD for v in get(gc, "/volumes?per_page=100", "volumes"))


@pytest.mark.parametrize("body", [
    {"name": "x", "size": 0, "region": NORD},
    {"name": "x", "size": 100001, "region": NORD},
    {"name": "x", "size": "10", "region": NORD},
    {"name": "x", "size": 10, "region": "MARS-1"},
    {"name": "x", "size": 10, "region": NORD, "type": "nvme"},
    {"name": "", "size": 10, "region": NORD},
    {"name": "   ", "size": 10, "region": NORD},
    {"size": 10, "region": NORD},
    {"name": "x", "region": NORD},
    {"name": "x", "size": 10},
])
def test_invalid_create_bodies(gc, body):
    expect_error(gc.post("/volumes", json=body), 400, "02002")
    assert get(gc, "/volumes")["total_count"] == 0


def test_storage_quota_on_create(gc):
    create_volume(gc, size=6000)
    body = expect_error(gc.post("/volumes", json={"name": "big", "size": 4001, "region": NORD}), 403, "02039")
    assert "quota" in body["message"]
    assert create_volume(gc, size=4000)["size"] == 4000  # exactly the capacity
    expect_error(gc.post("/volumes", json={"name": "one", "size": 1, "region": NORD}), 403, "02039")
    quota = next(q for q in get(gc, "/quotas", "quotas") if q["key"] == "volume_storage")
    assert quota["used"] == 10000 and quota["capacity"] == 10000


def test_storage_quota_is_per_account(gc, other):
    create_volume(gc, size=10000)
    assert create_volume(other, size=10000)["size"] == 10000


def test_update_renames_describes_and_grows(gc):
    vol = create_volume(gc, size=50)
    advance(gc, 1)
    resp = gc.patch(f"/volumes/{vol['id']}", json={"name": "renamed", "description": "more", "size": 60})
    assert resp.status_code == 200
    updated = resp.get_json()["volume"]
    assert (updated["name"], updated["description"], updated["size"]) == ("renamed", "more", 60)
    assert updated["updated_at"] > vol["updated_at"]
    assert get(gc, f"/volumes/{vol['id']}", "volume") == updated


def test_size_only_grows(gc):
    vol = create_volume(gc, size=50)
    body = expect_error(gc.patch(f"/volumes/{vol['id']}", json={"size": 49, "name": "n"}), 400, "02042")
    assert "grow" in body["message"]
    after = get(gc, f"/volumes/{vol['id']}", "volume")
    assert after["size"] == 50 and after["name"] == "data"
    assert gc.patch(f"/volumes/{vol['id']}", json={"size": 50}).status_code == 200  # same size is fine


def test_growing_beyond_quota_is_refused(gc):
    vol = create_volume(gc, size=9000)
    expect_error(gc.patch(f"/volumes/{vol['id']}", json={"size": 10001}), 403, "02039")
    assert get(gc, f"/volumes/{vol['id']}", "volume")["size"] == 9000
    assert gc.patch(f"/volumes/{vol['id']}", json={"size": 10000}).status_code == 200


def test_delete_shows_deleting_then_404(gc):
    vol = create_volume(gc)
    advance(gc, VOLUME_CREATING)
    expect_empty_204(gc.delete(f"/volumes/{vol['id']}"))
    assert get(gc, f"/volumes/{vol['id']}", "volume")["status"] == "deleting"
    expect_error(gc.patch(f"/volumes/{vol['id']}", json={"name": "x"}), 409, "02037")
    expect_error(gc.delete(f"/volumes/{vol['id']}"), 409, "02037")
    advance(gc, VOLUME_DELETING)
    body = expect_error(gc.get(f"/volumes/{vol['id']}"), 404, "02006")
    assert "volume" in body["message"]
    assert get(gc, "/volumes")["total_count"] == 0


def test_deleting_volume_cannot_be_attached(gc):
    vol = create_volume(gc)
    advance(gc, VOLUME_CREATING)
    gc.delete(f"/volumes/{vol['id']}")
    iid = create_instance(gc)["id"]
    expect_error(gc.patch(f"/instances/{iid}", json={"volumes": {"attach": vol["id"]}}), 400, "02048")


def test_attached_volume_cannot_be_deleted_until_detached(gc):
    vol = create_volume(gc)
    advance(gc, VOLUME_CREATING)
    iid = create_instance(gc, volumes=[vol["id"]])["id"]
    body = expect_error(gc.delete(f"/volumes/{vol['id']}"), 409, "02043")
    assert "detach" in body["message"]
    assert get(gc, f"/volumes/{vol['id']}", "volume")["status"] == "created"
    gc.patch(f"/instances/{iid}", json={"volumes": []})
    expect_empty_204(gc.delete(f"/volumes/{vol['id']}"))


def test_isolation(gc, other):
    vol = create_volume(gc)
    expect_error(other.get(f"/volumes/{vol['id']}"), 404, "02006")
    expect_error(other.patch(f"/volumes/{vol['id']}", json={"name": "x"}), 404, "02006")
    expect_error(other.delete(f"/volumes/{vol['id']}"), 404, "02006")
    assert get(other, "/volumes") == {"volumes": [], "total_count": 0, "page": 1, "per_page": 50}
    assert get(gc, f"/volumes/{vol['id']}", "volume")["name"] == "data"


def test_region_is_kept(gc):
    vol = create_volume(gc, region=MUC)
    gc.patch(f"/volumes/{vol['id']}", json={"region": NORD, "name": "n"})  # not an updatable field
    assert get(gc, f"/volumes/{vol['id']}", "volume")["region"] == MUC


def test_storage_in_use_follows_creates_resizes_and_removals(gc):
    vol = create_volume(gc, size=6000)
    advance(gc, 60)
    assert gc.patch(f"/volumes/{vol['id']}", json={"size": 7000}).status_code == 200
    expect_error(gc.post("/volumes", json={"name": "big", "size": 3001, "region": NORD}), 403, "02039")
    assert gc.delete(f"/volumes/{vol['id']}").status_code == 204
    # A deleting volume still holds its storage until it is gone.
    expect_error(gc.post("/volumes", json={"name": "big", "size": 3001, "region": NORD}), 403, "02039")
    advance(gc, 60)
    assert create_volume(gc, size=10000)["size"] == 10000
