"""Snapshots: imported from a URL, taken of an instance, cloned; lifecycle; as images; isolation."""

from __future__ import annotations

import pytest

from twinhelp import (
    AMS, GAUDI, INSTANCE_CREATING, INSTANCE_STOPPING, MUC, NORD, SNAPSHOT_CREATING, SNAPSHOT_DELETING, advance,
    create_instance, expect_empty_204, expect_error, get, import_snapshot, instance_body,
)

SNAPSHOT_FIELDS = {"id", "name", "size", "region", "status", "os_type", "source_instance_id", "source_snapshot_id",
                   "resource_id", "created_at", "updated_at"}


def _active_instance(gc, **kw):  # type: ignore[no-untyped-def]
    inst = create_instance(gc, **kw)
    advance(gc, INSTANCE_CREATING)
    return inst


def test_import_answers_201_wrapped_in_creating(gc):
    resp = gc.post("/snapshots", json={"name": "golden", "size": 20, "url": "https://example.com/a.raw.zst",
                                       "region": MUC, "os_type": "windows"})
    assert resp.status_code == 201
    body = resp.get_json()
    assert set(body) == {"snapshot"}
    snap = body["snapshot"]
    assert set(snap) == SNAPSHOT_FIELDS
    assert snap["status"] == "creating" and snap["size"] == 20 and snap["region"] == MUC
    assert snap["os_type"] == "windows"
    assert snap["source_instance_id"] is None and snap["source_snapshot_id"] is None and snap["resource_id"] is None
    assert get(gc, f"/snapshots/{snap['id']}") == {"snapshot": snap}
    assert get(gc, "/snapshots")["snapshots"] == [snap]


def test_os_type_defaults_to_linux(gc):
    assert import_snapshot(gc)["os_type"] == "linux"


@pytest.mark.parametrize("body", [
    {"name": "s", "size": 20, "url": "not a url", "region": NORD},
    {"name": "s", "size": 0, "url": "https://example.com/a.raw", "region": NORD},
    {"name": "s", "size": 20, "region": NORD},
    {"name": "s", "size": 20, "url": "https://example.com/a.raw"},
    {"name": "s", "size": 20, "url": "https://example.com/a.raw", "region": NORD, "os_type": "bsd"},
])
def test_invalid_import_bodies(gc, body):
    expect_error(gc.post("/snapshots", json=body), 400, "02002")


def test_creating_becomes_created_after_two_minutes(gc):
    snap = import_snapshot(gc)
    advance(gc, SNAPSHOT_CREATING - 1)
    assert get(gc, f"/snapshots/{snap['id']}", "snapshot")["status"] == "creating"
    advance(gc, 1)
    assert get(gc, f"/snapshots/{snap['id']}", "snapshot")["status"] == "created"


def test_rename(gc):
    snap = import_snapshot(gc)
    resp = gc.patch(f"/snapshots/{snap['id']}", json={"name": "renamed"})
    assert resp.status_code == 200 and resp.get_json()["snapshot"]["name"] == "renamed"
    assert get(gc, f"/snapshots/{snap['id']}", "snapshot")["name"] == "renamed"
    expect_error(gc.patch(f"/snapshots/{snap['id']}", json={"name": ""}), 400, "02002")


def test_delete_refused_while_creating_then_deleting_then_404(gc):
    snap = import_snapshot(gc)
    expect_error(gc.delete(f"/snapshots/{snap['id']}"), 409, "02037")
    advance(gc, SNAPSHOT_CREATING)
    expect_empty_204(gc.delete(f"/snapshots/{snap['id']}"))
    assert get(gc, f"/snapshots/{snap['id']}", "snapshot")["status"] == "deleting"
    expect_error(gc.delete(f"/snapshots/{snap['id']}"), 409, "02037")
    advance(gc, SNAPSHOT_DELETING)
    expect_error(gc.get(f"/snapshots/{snap['id']}"), 404, "02006")
    assert get(gc, "/snapshots")["total_count"] == 0


def test_instance_snapshot_needs_active_or_stopped(gc):
    inst = create_instance(gc, disk_size=120)
    expect_error(gc.post(f"/instances/{inst['id']}/snapshots", json={"name": "s"}), 409, "02037")
    advance(gc, INSTANCE_CREATING)
    resp = gc.post(f"/instances/{inst['id']}/snapshots", json={"name": "s1"})
    assert resp.status_code == 201
    snap = resp.get_json()["snapshot"]
    assert snap["size"] == 120 and snap["region"] == NORD and snap["status"] == "creating"
    assert snap["source_instance_id"] == inst["id"] and snap["resource_id"] == inst["id"]
    assert snap["source_snapshot_id"] is None
    gc.post(f"/instances/{inst['id']}/actions", json={"action": "stop"})
    expect_error(gc.post(f"/instances/{inst['id']}/snapshots", json={"name": "s"}), 409, "02037")  # stopping
    advance(gc, INSTANCE_STOPPING)
    assert gc.post(f"/instances/{inst['id']}/snapshots", json={"name": "s2"}).status_code == 201


def test_instance_snapshot_with_replicated_region(gc):
    inst = _active_instance(gc)
    resp = gc.post(f"/instances/{inst['id']}/snapshots", json={"name": "s", "replicated_region": MUC})
    assert resp.status_code == 201
    expect_error(gc.post(f"/instances/{inst['id']}/snapshots", json={"name": "s", "replicated_region": "X"}),
                 400, "02002")
    expect_error(gc.post(f"/instances/{inst['id']}/snapshots", json={}), 400, "02002")


def test_list_instance_snapshots_only_lists_that_instance(gc):
    a = _active_instance(gc)
    b = _active_instance(gc, name="b", hostname="b")
    s1 = gc.post(f"/instances/{a['id']}/snapshots", json={"name": "a1"}).get_json()["snapshot"]
    s2 = gc.post(f"/instances/{a['id']}/snapshots", json={"name": "a2"}).get_json()["snapshot"]
    gc.post(f"/instances/{b['id']}/snapshots", json={"name": "b1"})
    import_snapshot(gc)
    listing = get(gc, f"/instances/{a['id']}/snapshots")
    assert [s["id"] for s in listing["snapshots"]] == [s1["id"], s2["id"]]
    assert listing["total_count"] == 2 and listing["page"] == 1 and listing["per_page"] == 50
    assert get(gc, f"/instances/{a['id']}/snapshots?per_page=1&page=2")["snapshots"][0]["id"] == s2["id"]
    assert get(gc, "/snapshots")["total_count"] == 4


def test_clone_needs_created_source_and_copies_size_and_os(gc):
    source = import_snapshot(gc, size=33, os_type="windows")
    expect_error(gc.post(f"/snapshots/{source['id']}/clone", json={"name": "c", "region": MUC}), 409, "02037")
    advance(gc, SNAPSHOT_CREATING)
    resp = gc.post(f"/snapshots/{source['id']}/clone", json={"name": "copy", "region": MUC})
    assert resp.status_code == 201
    clone = resp.get_json()["snapshot"]
    assert clone["id"] != source["id"]
    assert (clone["size"], clone["os_type"], clone["region"], clone["status"]) == (33, "windows", MUC, "creating")
    assert clone["source_snapshot_id"] == source["id"] and clone["source_instance_id"] is None
    expect_error(gc.post(f"/snapshots/{source['id']}/clone", json={"name": "c"}), 400, "02002")
    expect_error(gc.post("/snapshots/nope/clone", json={"name": "c", "region": MUC}), 404, "02006")


def test_created_snapshot_is_listed_as_image_and_boots_an_instance(gc):
    snap = import_snapshot(gc, name="golden")
    assert [i for i in get(gc, "/images?type=snapshot", "images")] == []
    # a creating snapshot cannot boot an instance
    expect_error(gc.post("/instances", json=instance_body(image=snap["id"])), 409, "02037")
    advance(gc, SNAPSHOT_CREATING)
    images = get(gc, "/images?type=snapshot", "images")
    assert len(images) == 1
    image = images[0]
    assert image["id"] == snap["id"] and image["type"] == "snapshot" and image["regions"] == [NORD]
    assert image["slug"] is None and image["family"] is None and image["versions"] == []
    assert snap["id"] in [i["id"] for i in get(gc, "/images?per_page=100", "images")]
    assert snap["id"] not in [i["id"] for i in get(gc, "/images?type=cloud-image", "images")]
    # snapshots run on any type available in their region
    inst = create_instance(gc, image=snap["id"])
    assert inst["image"] == {"id": snap["id"], "name": "golden"}
    expect_error(gc.post("/instances", json=instance_body(image=snap["id"], region=MUC)), 400, "02036")
    expect_error(gc.post("/instances", json=instance_body(image=snap["id"], type=GAUDI, region=MUC)), 400, "02036")


def test_snapshot_of_windows_instance_keeps_os(gc):
    inst = _active_instance(gc, image="windows-server-2022")
    snap = gc.post(f"/instances/{inst['id']}/snapshots", json={"name": "w"}).get_json()["snapshot"]
    assert snap["os_type"] == "windows"


def test_isolation(gc, other):
    snap = import_snapshot(gc)
    advance(gc, SNAPSHOT_CREATING)
    for call in (other.get(f"/snapshots/{snap['id']}"), other.patch(f"/snapshots/{snap['id']}", json={"name": "x"}),
                 other.delete(f"/snapshots/{snap['id']}"),
                 other.post(f"/snapshots/{snap['id']}/clone", json={"name": "c", "region": AMS})):
        expect_error(call, 404, "02006")
    assert get(other, "/snapshots")["total_count"] == 0
    assert get(other, "/images?type=snapshot", "images") == []
    expect_error(other.post("/instances", json=instance_body(image=snap["id"])), 400, "02048")
    assert get(gc, f"/snapshots/{snap['id']}", "snapshot")["status"] == "created"


def test_update_while_deleting_is_refused(gc):
    snap = import_snapshot(gc)
    advance(gc, SNAPSHOT_CREATING)
    gc.delete(f"/snapshots/{snap['id']}")
    expect_error(gc.patch(f"/snapshots/{snap['id']}", json={"name": "late"}), 409, "02037")
    assert get(gc, f"/snapshots/{snap['id']}", "snapshot")["name"] == "golden"
