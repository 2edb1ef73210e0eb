"""Capacity weather: a provider's stock sells out for a stretch of virtual time, then returns."""

from __future__ import annotations

import pytest

from cloudtwin.harness.handle import TwinError, TwinHandle

H200 = {"region": "FINLAND-3", "gpu_model": "H200-SXM5-141GB", "gpu_count": 1}


def h200_left(handle: TwinHandle) -> int:
    page = handle.request("GET", "barrack", "/gpu-stocks/", query_string={"region": "FINLAND-3",
                                                                          "gpu_model": "H200-SXM5-141GB"}).get_json()
    return next(c["available_count"] for c in page["stocks"][0]["configurations"] if c["gpu_count"] == 1)


def test_part_of_the_stock_goes_for_a_while_and_comes_back_exactly_when_due() -> None:
    handle = TwinHandle(["barrack"], seed=1)
    before = h200_left(handle)
    result = handle.action("barrack", "sell_out", **H200, take=1, **{"for": "30m"})
    assert result["taken"] == 1 and result["left"] == before - 1
    assert h200_left(handle) == before - 1
    handle.advance(29 * 60)
    assert h200_left(handle) == before - 1
    handle.advance(60)
    assert h200_left(handle) == before


@pytest.mark.parametrize("arguments", [
    {**H200, "for": 0}, {**H200, "for": ["2h"]}, {**H200, "take": -1}, {**H200, "region": "NOWHERE"},
    {"region": "FINLAND-3"},
])
def test_bad_weather_is_refused_with_400_and_changes_nothing(arguments: dict) -> None:
    handle = TwinHandle(["barrack"], seed=1)
    before = h200_left(handle)
    with pytest.raises(TwinError, match="400"):
        handle.admin("POST", "/providers/barrack/actions/sell_out", arguments)
    assert h200_left(handle) == before


def test_genesis_weather_shows_on_its_availability_page() -> None:
    handle = TwinHandle(["genesis"], seed=1)
    handle.action("genesis", "sell_out", region="NORD-NO-KRS-1", type="vcpu-4_memory-16g_nvidia-rtx-3080-1")
    page = handle.request("GET", "genesis", "/availability/NORD-NO-KRS-1/instances").get_json()
    [rtx] = [t for t in page["availability"]["instance_types"] if t["type"] == "vcpu-4_memory-16g_nvidia-rtx-3080-1"]
    assert rtx == {"type": "vcpu-4_memory-16g_nvidia-rtx-3080-1", "available": False, "count": 0}
    handle.advance("1h")  # the default stretch
    page = handle.request("GET", "genesis", "/availability/NORD-NO-KRS-1/instances").get_json()
    assert any(t["type"] == rtx["type"] and t["available"] for t in page["availability"]["instance_types"])
