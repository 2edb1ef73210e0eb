"""One catalog, three kinds of client, against a served twin.

The catalog's image endpoint ends in `/v2`, as Rackspace publishes it. A plain HTTP client
written against Rackspace appends `/images` to it and follows `next`/`first` as RFC 3986
says (against the request URL); python-glanceclient and openstacksdk are given the catalog
URL unchanged. Each lists every image page by page, reads one, and the HTTP client and
glanceclient update one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import openstack
import pytest
import requests
from glanceclient import Client

from .conftest import PATCH21, UBUNTU, WEB_GOLDEN

pytestmark = pytest.mark.served

SEEDED = 8  # images the default account sees in DFW


def login(served: str, username: str = "twinuser", password: str = "Twin-passw0rd") -> tuple[str, str]:
    reply = requests.post(f"{served}/rackspace/identity/v2.0/tokens", timeout=10,
                          json={"auth": {"passwordCredentials": {"username": username, "password": password}}})
    reply.raise_for_status()
    access = reply.json()["access"]
    images = next(s for s in access["serviceCatalog"] if s["type"] == "image")
    return next(e["publicURL"] for e in images["endpoints"] if e["region"] == "DFW"), access["token"]["id"]


class PlainClient:
    """What a user writes from the Rackspace docs with `requests`: catalog URL + `/images`."""

    def __init__(self, endpoint: str, token: str) -> None:
        self.endpoint, self.session = endpoint, requests.Session()
        self.session.headers.update({"X-Auth-Token": token, "Accept": "application/json"})

    def pages(self, **query: Any) -> list[dict[str, Any]]:
        reply = self.session.get(f"{self.endpoint}/images", params=query, timeout=10)
        pages = []
        while True:
            assert reply.status_code == 200, reply.text
            body = reply.json()
            pages.append(body)
            if "next" not in body:
                return pages
            reply = self.session.get(urljoin(reply.url, body["next"]), timeout=10)

    def get(self, image_id: str) -> requests.Response:
        return self.session.get(f"{self.endpoint}/images/{image_id}", timeout=10)

    def update(self, image_id: str, ops: list[dict[str, Any]]) -> requests.Response:
        return self.session.patch(f"{self.endpoint}/images/{image_id}", json=ops, timeout=10,
                                  headers={"Content-Type": PATCH21})


def test_a_client_that_appends_images_to_the_catalog_url_lists_pages_gets_and_updates(served):
    endpoint, token = login(served)
    assert endpoint == f"{served}/rackspace/images/DFW/v2"
    client = PlainClient(endpoint, token)
    pages = client.pages(limit=3)
    ids = [image["id"] for page in pages for image in page["images"]]
    assert len(pages) == 3 and len(ids) == SEEDED == len(set(ids))
    assert ids == [image["id"] for image in client.pages(limit=100)[0]["images"]]
    # `first` leads back to the first page, from any page.
    first = client.session.get(urljoin(f"{endpoint}/images", pages[-1]["first"]), timeout=10).json()
    assert [i["id"] for i in first["images"]] == [i["id"] for i in pages[0]["images"]]
    assert client.get(UBUNTU).json()["name"].startswith("Ubuntu 16.04")
    updated = client.update(WEB_GOLDEN, [{"op": "replace", "path": "/name", "value": "renamed-by-requests"}])
    assert updated.status_code == 200 and client.get(WEB_GOLDEN).json()["name"] == "renamed-by-requests"


def test_glanceclient_given_the_catalog_url_pages_with_glances_own_links(served):
    endpoint, token = login(served)
    glance = Client("2", endpoint=endpoint, token=token)
    listed = [image.id for image in glance.images.list(page_size=3)]
    assert listed == [i["id"] for page in PlainClient(endpoint, token).pages(limit=3) for i in page["images"]]
    glance.images.update(WEB_GOLDEN, name="renamed-by-glanceclient")
    assert glance.images.get(WEB_GOLDEN).name == "renamed-by-glanceclient"
    # glanceclient appends `/v2/images` to the catalog URL; the links it is given there are
    # Glance's own, which it appends to the same URL again.
    raw = requests.get(f"{endpoint}/v2/images", params={"limit": 3}, headers={"X-Auth-Token": token}, timeout=10)
    assert raw.json()["first"] == "/v2/images?limit=3" and raw.json()["next"].startswith("/v2/images?limit=3&marker=")


def test_openstacksdk_authenticates_and_pages_from_the_same_catalog(served):
    conn = openstack.connect(auth_url=f"{served}/rackspace/identity/v2.0", username="twinuser",
                             password="Twin-passw0rd", project_id="100001", region_name="DFW",
                             identity_api_version="2.0", image_api_version="2", auth_type="password")
    names = [image.name for image in conn.image.images(limit=3)]
    assert len(names) == SEEDED and "web-golden" in names
    assert conn.image.get_image(WEB_GOLDEN).status == "active"
    assert conn.image.find_image("web-golden").id == WEB_GOLDEN
