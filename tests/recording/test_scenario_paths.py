"""Without a recording: which path a recorded step replays, and what it expects of a URL the
recorded service wrote for itself."""

from __future__ import annotations

import json
import re

import pytest

from cloudtwin.app import build_twin
from cloudtwin.recording import operations
from cloudtwin.recording.forward import Origin, Routes
from cloudtwin.recording.hooks import DEFAULT
from cloudtwin.recording.scenario_builder import ScenarioBuilder
from cloudtwin.recording.session import Exchange

IMAGE = "1ace05f5-55e1-48b4-8db2-087391f3e49b"


@pytest.fixture(scope="module")
def index() -> operations.OperationIndex:
    return operations.for_provider(build_twin(["rackspace"]), "rackspace")


@pytest.mark.parametrize("path, below", [
    ("/rackspace/images/DFW/v2/v2/images", "/v2/v2/images"),  # the catalog URL plus Glance's path
    ("/rackspace/images/ORD/v2/images", "/v2/images"),  # the catalog URL plus /images
    ("/v2/images", "/v2/images"),  # a real host's root
    ("/ingress/v2/v2/images", "/v2/images"),  # below no known base: everything before the template
])
def test_the_path_below_the_base_keeps_the_clients_form(index, path, below):
    matched = index.match("GET", path)
    assert matched is not None and (matched.operation, matched.relative_path) == ("listImages", below)


def exchange(index: operations.OperationIndex, path: str, body: dict) -> Exchange:
    """One GET through a proxy at proxy:9 whose target is up:1's identity."""
    upstream = f"http://up:1{path}"
    return Exchange(started=0.0, elapsed_ms=1.0, method="GET", url=upstream, path="/_via/http/up:1" + path,
                    query="", request_headers=[("Host", "proxy:9"), ("X-Auth-Token", "t")], request_body=b"",
                    status=200, reason="OK", response_headers=[], response_body=json.dumps(body).encode(),
                    matched=index.match("GET", path))


def test_urls_of_the_recorded_service_are_matched_by_path_and_query_on_any_host(index):
    routes = Routes(Origin.parse("http://up:1/rackspace/identity"))
    listed = exchange(index, "/rackspace/images/DFW/v2/images", {
        "images": [{"id": IMAGE}],
        "first": "http://up:1/rackspace/images/DFW/v2/images?limit=1",  # as the upstream wrote it
        "next": f"http://proxy:9/_via/http/up:1/rackspace/images/DFW/v2/images?limit=1&marker={IMAGE}",
        "schema": "https://elsewhere.example/schemas/images"})  # another site's URL: not the service's
    shown = exchange(index, f"/rackspace/images/DFW/v2/images/{IMAGE}", {
        "id": IMAGE, "self": f"http://proxy:9/_via/http/up:1/rackspace/images/DFW/v2/images/{IMAGE}"})
    steps = ScenarioBuilder("rackspace", DEFAULT, "images", routes=routes).build([listed, shown], "t")["steps"]
    listing, image = steps[0]["expect"]["body"], steps[1]["expect"]["body"]
    assert listing["first"] == {"regex": r"^https?://[^/]+/rackspace/images/DFW/v2/images\?limit=1$"}
    # An id this very answer gives is not saved yet: any UUID; a saved one is its variable.
    assert listing["next"] == {
        "regex": r"^https?://[^/]+/rackspace/images/DFW/v2/images\?limit=1&marker=[0-9a-fA-F-]{36}$"}
    assert image["self"] == {"regex": r"^https?://[^/]+/rackspace/images/DFW/v2/images/${image_id}$"}
    assert listing["schema"] == {"schema": {"type": "string"}}
    assert steps[1]["request"]["path"] == "/v2/images/${image_id}"
    # The replay's host is another one.
    replayed = "http://127.0.0.1:5000/rackspace/images/DFW/v2/images"
    assert re.search(listing["next"]["regex"], f"{replayed}?limit=1&marker={IMAGE}")
    assert re.search(image["self"]["regex"].replace("${image_id}", IMAGE), f"{replayed}/{IMAGE}")
    assert not re.search(listing["first"]["regex"], f"{replayed}?limit=2")
