"""The Rackspace list fast path (Glance's default order read from the image table's secondary
index) answers exactly what the general path (merge, filter and sort every visible image) does."""

from __future__ import annotations

from typing import Any

import pytest

from cloudtwin.harness.handle import TwinHandle
from cloudtwin.providers.rackspace.handlers import listing


@pytest.fixture(scope="module")
def handle() -> TwinHandle:
    twin = TwinHandle(["rackspace"], seed=5)
    for i in range(40):
        for account in ("default", "other"):
            twin.admin("POST", "/providers/rackspace/actions/create_snapshot_image", {
                "account": account, "name": f"snap-{i % 3}", "region": "DFW", "tags": ["a"] if i % 2 else []})
        if i % 7 == 0:
            twin.advance("1s")  # several images share a second: the id breaks the tie
    twin.advance("10m")
    return twin


def _get(handle: TwinHandle, query: str) -> Any:
    return handle.client.get(f"/rackspace/images/DFW/v2/images?{query}", headers=handle.headers("rackspace"))


def pages(handle: TwinHandle, query: str) -> list[list[str]]:
    out: list[list[str]] = []
    marker = None
    for _ in range(200):
        response = _get(handle, query + (f"&marker={marker}" if marker else ""))
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        ids = [image["id"] for image in body["images"]]
        out.append(ids)
        if "next" not in body:
            return out
        marker = ids[-1]
    raise AssertionError("no last page")


@pytest.mark.parametrize("query", ["limit=7", "limit=5&sort_dir=asc", "limit=4&name=snap-1",
                                   "limit=6&visibility=private&tag=a", "limit=3&sort=created_at:asc,id:asc",
                                   "limit=1000", "limit=9&status=active", "limit=8&visibility=public"])
def test_indexed_pages_equal_the_general_path(handle: TwinHandle, query: str, monkeypatch: Any) -> None:
    fast = pages(handle, query)
    assert sum(map(len, fast)) > 0
    monkeypatch.setattr(listing, "INDEXED_ORDER", False)
    assert pages(handle, query) == fast


@pytest.mark.parametrize("indexed", [True, False])
def test_an_unknown_marker_is_refused_on_both_paths(handle: TwinHandle, indexed: bool, monkeypatch: Any) -> None:
    monkeypatch.setattr(listing, "INDEXED_ORDER", indexed)
    response = _get(handle, "limit=5&marker=00000000-0000-0000-0000-000000000000")
    assert response.status_code == 400
    assert "00000000-0000-0000-0000-000000000000" in response.get_data(as_text=True)
