"""Images, availability (stock), quotas, reservations and the legacy catalogue."""

from __future__ import annotations

import pytest

from twinhelp import (
    CPU, GAUDI, H100, INSTANCE_DELETING, MNZ, MUC, NORD, RTX3080, RTX3090, UBUNTU_22, advance, create_instance,
    create_volume, expect_error, get,
)

IMAGE_FIELDS = {"id", "type", "family", "name", "os_type", "slug", "versions", "regions", "created_at", "updated_at"}


def test_list_images_shape_and_catalogue(gc):
    listing = get(gc, "/images")
    assert listing["total_count"] == 6 and listing["page"] == 1 and listing["per_page"] == 50
    images = listing["images"]
    for image in images:
        assert set(image) == IMAGE_FIELDS  # `accelerators` is twin-only, never returned
        assert image["created_at"] == "2024-03-08T09:00:00.000Z"
    ubuntu = next(i for i in images if i["id"] == UBUNTU_22)
    assert ubuntu["slug"] == "ubuntu-22.04" and ubuntu["family"] == "Ubuntu" and ubuntu["versions"] == ["20240308"]
    windows = next(i for i in images if i["slug"] == "windows-server-2022")
    assert windows["os_type"] == "windows" and windows["versions"] == [] and windows["type"] == "base-os"


@pytest.mark.parametrize("kind,count", [("cloud-image", 4), ("base-os", 1), ("preconfigured", 1), ("snapshot", 0)])
def test_type_filter(gc, kind, count):
    images = get(gc, f"/images?type={kind}", "images")
    assert len(images) == count and all(i["type"] == kind for i in images)


def test_unknown_type_filter_is_refused(gc):
    expect_error(gc.get("/images?type=iso"), 400, "02002")


def test_there_is_no_single_image_route(gc):
    expect_error(gc.get(f"/images/{UBUNTU_22}"), 404, "02001")


def test_availability_lists_the_regions_types_with_stock(client, gc, other):
    # security: [] on this operation: no token needed
    resp = client.get(f"/genesis/compute/v1/availability/{NORD}/instances")
    assert resp.status_code == 200
    availability = resp.get_json()["availability"]
    assert availability["type"] == "instances" and availability["region"] == NORD
    assert "placement" not in availability
    counts = {t["type"]: (t["available"], t["count"]) for t in availability["instance_types"]}
    assert counts == {CPU: (True, 50), RTX3080: (True, 8), RTX3090: (True, 8), H100: (True, 2)}
    # counts fall as instances are created, by anyone
    create_instance(gc, type=RTX3080, image="ubuntu-22.04")
    create_instance(other, type=RTX3080, image="ubuntu-22.04")
    after = {t["type"]: t["count"] for t in get(gc, f"/availability/{NORD}/instances", "availability")["instance_types"]}
    assert after[RTX3080] == 6 and after[CPU] == 50


def test_availability_echoes_placement_and_validates_region(gc):
    assert get(gc, f"/availability/{MUC}/instances?placement=NONE", "availability")["placement"] == "NONE"
    expect_error(gc.get("/availability/MARS-1/instances"), 400, "02002")


def test_sold_out_type_is_unavailable(gc):
    create_instance(gc, type=H100, region=MNZ, image="ubuntu-24.04")
    entry = next(t for t in get(gc, f"/availability/{MNZ}/instances", "availability")["instance_types"]
                 if t["type"] == H100)
    assert entry == {"type": H100, "available": False, "count": 0}


def test_stock_comes_back_when_the_instance_is_gone(gc):
    inst = create_instance(gc, type=H100, region=MNZ, image="ubuntu-24.04")
    gc.delete(f"/instances/{inst['id']}")
    advance(gc, INSTANCE_DELETING)
    entry = next(t for t in get(gc, f"/availability/{MNZ}/instances", "availability")["instance_types"]
                 if t["type"] == H100)
    assert entry["available"] is True and entry["count"] == 1


def test_quotas_show_capacity_and_use_per_flavor(gc, other):
    quotas = {q["key"]: q for q in get(gc, "/quotas", "quotas")}
    assert set(quotas) == {"nvidia-rtx-3080", "nvidia-rtx-3090", "nvidia-h100-sxm5", "intel-gaudi2", "cpu-instances",
                           "volume_storage"}
    assert all(q["used"] == 0 for q in quotas.values())
    assert all(q["flavors"] == [] for k, q in quotas.items() if k != "volume_storage")
    assert quotas["intel-gaudi2"]["capacity"] == 2
    create_instance(gc, type=GAUDI, region=MUC, image="ubuntu-24.04")
    create_instance(gc, type=H100, image="ubuntu-24.04")
    create_instance(gc)
    create_volume(gc, size=70)
    quotas = {q["key"]: q for q in get(gc, "/quotas", "quotas")}
    assert quotas["intel-gaudi2"]["used"] == 1
    assert quotas["intel-gaudi2"]["flavors"] == [
        {"flavor_name": GAUDI, "product_name": "Intel Gaudi 2", "unit": "gpu", "used": 1}]
    assert quotas["nvidia-h100-sxm5"]["used"] == 8
    assert quotas["cpu-instances"]["used"] == 1
    assert quotas["volume_storage"]["used"] == 70
    # quotas are per account
    assert all(q["used"] == 0 for q in get(other, "/quotas", "quotas"))


def test_reservations(gc):
    assert get(gc, "/reservations") == {"reservations": []}


def test_legacy_catalog(gc):
    listing = get(gc, "/catalog")
    assert listing["total_count"] == 1 and listing["page"] == 1 and listing["per_page"] == 50
    entry = listing["catalog"][0]
    assert entry["name"] == "Jupyter Lab" and entry["requires_driver"] is True
    assert entry["created_at"] == entry["updated_at"] == "2024-03-08T09:00:00.000Z"
    assert set(entry) == {"id", "name", "description", "logo_url", "requires_driver", "base_image_ids", "images",
                          "fields", "created_at", "updated_at"}
    assert get(gc, "/catalog?page=2")["catalog"] == []


def test_legacy_region_is_for_legacy_accounts_only(gc, legacy):
    """ARC-IS-HAF-1 left the live API in 2025: current accounts cannot put anything there."""
    haf = "ARC-IS-HAF-1"
    attempts = {
        "/volumes": {"name": "v", "size": 1, "region": haf},
        "/security-groups": {"name": "g", "region": haf, "rules": []},
        "/floating-ips": {"name": "ip", "region": haf},
        "/filesystems": {"name": "fs", "size": 1, "region": haf},
        "/snapshots": {"name": "s", "size": 1, "url": "https://example.com/a.raw", "region": haf},
    }
    for path, body in attempts.items():
        message = expect_error(gc.post(path, json=body), 400, "02045")["message"]
        assert "legacy" in message
        assert get(gc, path)["total_count"] == (7 if path == "/security-groups" else 0)
    snap = gc.post("/snapshots", json={**attempts["/snapshots"], "region": NORD}).get_json()["snapshot"]
    advance(gc, 120)
    expect_error(gc.post(f"/snapshots/{snap['id']}/clone", json={"name": "c", "region": haf}), 400, "02045")
    # legacy accounts may (except floating IPs and filesystems, which they do not have at all)
    for path in ("/volumes", "/security-groups", "/snapshots"):
        assert legacy.post(path, json=attempts[path]).status_code == 201, path
