"""Regions and tiers, GPU stock and specs, prices and quotes, OS images, volume types."""

from __future__ import annotations

import pytest

from .helpers import DELETING, Barrack, expect_error


def test_regions_carry_their_tier_and_capabilities(bk: Barrack) -> None:
    regions = {r["code"]: r for r in bk.ok(bk.get("/regions/"))["regions"]}
    assert set(regions) == {"FINLAND-1", "FINLAND-2", "FINLAND-3", "CANADA-1"}
    assert regions["CANADA-1"]["tier"] == "legacy" and regions["CANADA-1"]["capabilities"]["custom_images"]
    assert not regions["CANADA-1"]["capabilities"]["volume_clone"]
    assert regions["FINLAND-2"]["capabilities"]["max_new_volumes_at_deploy"] == 10
    legacy = bk.ok(bk.get("/regions/?tier=legacy"))["regions"]
    assert [r["code"] for r in legacy] == ["CANADA-1"]


def test_stock_goes_down_on_deploy_and_back_on_delete(bk: Barrack) -> None:
    def left() -> int:
        stocks = bk.ok(bk.get("/gpu-stocks/?region=FINLAND-3&gpu_model=H200-SXM5-141GB"))["stocks"]
        return next(c for c in stocks[0]["configurations"] if c["gpu_count"] == 2)["available_count"]

    assert left() == 1
    vm = bk.running(region="FINLAND-3", gpu_model="H200-SXM5-141GB", gpu_count=2, os_image_id=301)
    assert left() == 0
    expect_error(bk.post("/instances/", json=bk.deploy_body(name="b", region="FINLAND-3", gpu_model="H200-SXM5-141GB",
                                                            gpu_count=2, os_image_id=301)), 409, "out_of_stock")
    bk.ok(bk.delete(f"/instances/{vm['id']}/"))
    bk.advance(DELETING)  # the GPUs are free once the VM is gone
    assert left() == 1


def test_specs_scale_gpu_memory_with_the_count(bk: Barrack) -> None:
    gpus = bk.ok(bk.get("/gpu-specs/?gpu_model=H100-SXM5-80GB"))["gpus"]
    eight = next(c for c in gpus[0]["configurations"] if c["gpu_count"] == 8)
    assert eight["gpu_memory_gb"] == 640 and eight["vcpus"] == 192


@pytest.mark.parametrize("who,currency,price", [("bk", "USD", 2.69), ("other", "EUR", 2.49), ("legacy", "INR", 239)])
def test_pricing_is_in_the_account_currency(request: pytest.FixtureRequest, who: str, currency: str, price: float) -> None:
    api: Barrack = request.getfixturevalue(who)
    catalogue = api.ok(api.get("/pricing/?region=FINLAND-1&gpu_model=H100-SXM5-80GB"))
    assert catalogue["currency"] == currency
    assert catalogue["gpu_prices"][0]["price_per_gpu_hour"] == price
    rates = {r["volume_type"]: r["price_per_tb_hour"] for r in catalogue["volume_rates"]}
    assert rates["NVMe"] == {"USD": 0.30, "EUR": 0.35, "INR": 30}[currency]


def test_quote_matches_the_published_arithmetic(bk: Barrack) -> None:
    quote = bk.ok(bk.post("/pricing/", json={"region": "FINLAND-1", "gpu_model": "H100-SXM5-80GB", "gpu_count": 8,
                                             "boot_volume_size": 500, "volumes": [{"size": 2048, "volume_type": "NVMe"}]}))
    assert quote["hourly"] == {"gpu": 21.52, "boot_volume": 0.1465, "data_volumes": 0.6, "total": 22.2665}
    assert quote["monthly"]["gpu"] == 15709.6
    expect_error(bk.post("/pricing/", json={"region": "CANADA-1", "gpu_model": "H200-SXM5-141GB", "gpu_count": 1}),
                 409, "not_offered")
    expect_error(bk.post("/pricing/", json={"region": "CANADA-1", "gpu_model": "A40", "gpu_count": 1,
                                            "volumes": [{"size": 200, "volume_type": "NVMe"}]}), 400, "invalid")


def test_os_images_filter_by_region_and_paginate(bk: Barrack) -> None:
    page = bk.ok(bk.get("/os-images/?region=FINLAND-1&page_size=2&page=2"))
    assert page["pagination"] == {"page": 2, "page_size": 2, "total": 6, "total_pages": 3}
    assert all(i["region"] == "FINLAND-1" for i in page["images"])
    assert bk.ok(bk.get("/os-images/?region=FINLAND-1&page=9"))["images"] == []


def test_volume_types_by_tier_and_protocols(bk: Barrack) -> None:
    types = bk.ok(bk.get("/volumes/types/?region=CANADA-1"))["volume_types"]
    assert [t["tier"] for t in types] == ["legacy"] and types[0]["types"][0]["name"] == "Cloud-SSD"
    advanced = bk.ok(bk.get("/volumes/types/?tier=advanced"))["volume_types"][0]["types"]
    assert {t["name"]: t["max_size"] for t in advanced} == {"NVMe": 10000, "HDD": 16000}
    protocols = {p["name"]: p["ports"] for p in bk.ok(bk.get("/firewalls/protocols/"))["protocols"]}
    assert protocols["tcp"] and not protocols["icmp"]
