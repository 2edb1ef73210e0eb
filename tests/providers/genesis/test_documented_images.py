"""The Images page as a user reads it, over HTTP against a served twin: the documented ids work,
`versions` is a list for every image (empty unless a cloud-image), and `page` has no upper bound."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from twinhelp import BASE, DEFAULT_TOKEN, INSTANCE_CREATING, NORD, RTX3080, SNAPSHOT_CREATING

# Ids as Genesis Cloud's documentation prints them (see fixtures/genesis/images.yaml).
DOCUMENTED = {
    "df3718d1-c738-49e4-9d44-6b39579a2c6a": "ubuntu-ml-nvidia-pytorch",
    "3b29b09e-138e-11ef-a299-7fd37e9e8724": "ubuntu-24.04",
    "2cd0e25f-a39e-4bc6-aa78-b4c40b87072a": "ubuntu-22.04",
}


@pytest.fixture
def api(served: str) -> "Api":
    return Api(served)


class Api:
    """`requests` with the default account's token; paths relative to the compute base URL."""

    def __init__(self, root: str) -> None:
        self.root, self.session = root, requests.Session()
        self.session.headers["Authorization"] = f"Bearer {DEFAULT_TOKEN}"

    def call(self, method: str, path: str, status: int, **kw: Any) -> Any:
        resp = self.session.request(method, self.root + BASE + path, timeout=10, **kw)
        assert resp.status_code == status, (resp.status_code, resp.text)
        return resp.json() if resp.content else None

    def advance(self, seconds: float) -> None:
        assert requests.post(self.root + "/_twin/clock/advance", json={"seconds": seconds}, timeout=10).ok

    def images(self, query: str = "") -> dict[str, Any]:
        return self.call("GET", f"/images{query}", 200)


def test_documented_images_carry_their_documented_ids_and_slugs(api: Api) -> None:
    images = {i["id"]: i for i in api.images("?per_page=100")["images"]}
    for image_id, slug in DOCUMENTED.items():
        image = images[image_id]
        assert image["slug"] == slug and image["type"] == "cloud-image" and image["os_type"] == "linux"
        assert image["versions"] and all(isinstance(v, str) for v in image["versions"])
    assert images["df3718d1-c738-49e4-9d44-6b39579a2c6a"]["versions"] == ["20240308", "20240702-1796"]


@pytest.mark.parametrize("image_id", sorted(DOCUMENTED))
def test_an_id_copied_from_the_documentation_boots_an_instance(api: Api, image_id: str) -> None:
    body = {"name": "doc", "hostname": "doc", "type": RTX3080, "image": image_id, "region": NORD, "password": "Secret123"}
    instance = api.call("POST", "/instances", 201, json=body)["instance"]
    assert instance["image"]["id"] == image_id


def test_versions_is_an_empty_list_for_every_image_that_is_not_a_cloud_image(api: Api) -> None:
    body = {"name": "src", "hostname": "src", "type": RTX3080, "image": "ubuntu-22.04", "region": NORD,
            "password": "Secret123"}
    instance = api.call("POST", "/instances", 201, json=body)["instance"]
    api.advance(INSTANCE_CREATING)
    api.call("POST", f"/instances/{instance['id']}/snapshots", 201, json={"name": "snap"})
    api.advance(SNAPSHOT_CREATING)
    images = api.images("?per_page=100")["images"]
    kinds = {i["type"] for i in images}
    assert {"cloud-image", "base-os", "preconfigured", "snapshot"} <= kinds
    for image in images:
        assert isinstance(image["versions"], list), image
        if image["type"] != "cloud-image":
            assert image["versions"] == [], image
    for kind in ("base-os", "preconfigured", "snapshot"):
        assert all(i["versions"] == [] for i in api.images(f"?type={kind}")["images"])


def test_a_preconfigured_image_has_no_version_to_pin(api: Api) -> None:
    body = {"name": "sd", "hostname": "sd", "type": RTX3080, "image": "stable-diffusion-webui:20240702-1796",
            "region": NORD, "password": "Secret123"}
    api.call("POST", "/instances", 400, json=body)  # no such version: the image has none
    body["image"] = "stable-diffusion-webui"
    api.call("POST", "/instances", 201, json=body)


@pytest.mark.parametrize("page", [1_000_001, 2**63, 2**64 + 1, 10**100])
@pytest.mark.parametrize("path,key", [("/images", "images"), ("/volumes", "volumes"), ("/instances", "instances"),
                                      ("/snapshots", "snapshots"), ("/catalog", "catalog")])
def test_any_page_past_the_end_is_an_empty_list(api: Api, path: str, key: str, page: int) -> None:
    total = api.call("GET", path, 200)["total_count"]
    body = api.call("GET", f"{path}?page={page}&per_page=100", 200)
    assert body == {key: [], "total_count": total, "page": page, "per_page": 100}


def test_a_huge_page_of_an_instances_snapshots_is_empty_too(api: Api) -> None:
    body = {"name": "src", "hostname": "src", "type": RTX3080, "image": "ubuntu-22.04", "region": NORD,
            "password": "Secret123"}
    instance = api.call("POST", "/instances", 201, json=body)["instance"]
    api.advance(INSTANCE_CREATING)
    api.call("POST", f"/instances/{instance['id']}/snapshots", 201, json={"name": "snap"})
    listed = api.call("GET", f"/instances/{instance['id']}/snapshots?page={10**40}", 200)
    assert listed["snapshots"] == [] and listed["total_count"] == 1 and listed["page"] == 10**40
    assert len(api.call("GET", f"/instances/{instance['id']}/snapshots", 200)["snapshots"]) == 1


def test_page_zero_is_still_refused(api: Api) -> None:
    assert api.call("GET", "/images?page=0", 400)["code"] == "02002"
