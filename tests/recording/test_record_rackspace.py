"""python-glanceclient, unmodified, through `cloudtwin record` in front of a Rackspace stand-in:
it authenticates against identity through the proxy, and the catalog it gets back points
at the proxy too. The token and API key appear in no output file."""

from __future__ import annotations

import time

import pytest
import yaml
import requests
from glanceclient import Client

from cloudtwin.harness.runner import Runner
from cloudtwin.harness.scenario import load
from cloudtwin.harness.targets import HttpTarget

from .proxyprocess import ProxyProcess, leaked

USERNAME, API_KEY = "twinuser", "rax-default-00000000000000000000"


def login(identity: str) -> tuple[str, str]:
    reply = requests.post(f"{identity}/v2.0/tokens", timeout=10, json={
        "auth": {"RAX-KSKEY:apiKeyCredentials": {"username": USERNAME, "apiKey": API_KEY}}})
    reply.raise_for_status()
    access = reply.json()["access"]
    images = next(s for s in access["serviceCatalog"] if s["type"] == "image")
    return next(e["publicURL"] for e in images["endpoints"] if e["region"] == "DFW"), access["token"]["id"]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, real):
    tmp = tmp_path_factory.mktemp("rackspace")
    recorder = ProxyProcess("record", "--provider", "rackspace", "--target", real.base + "/rackspace/identity",
                            "--out", str(tmp / "rec"))
    try:
        endpoint, token = login(recorder.base)
        glance = Client("2", endpoint=endpoint, token=token)
        images = list(glance.images.list(page_size=3))
        private = next(iter(glance.images.list(filters={"visibility": "private"})))
        shown = glance.images.get(private.id)
        glance.images.get(next(i.id for i in images if i.visibility == "public"))
        glance.image_tags.update(shown.id, "recorded")
        # A plain HTTP client appends `/images` to the catalog URL: its links are absolute.
        plain = requests.get(endpoint + "/images", params={"limit": 2}, headers={"X-Auth-Token": token}, timeout=10)
        assert plain.json()["first"].startswith(real.base + "/")
        task = glance.tasks.create(type="import", input={"import_from": "images/missing.vhd"})
        for _ in range(40):  # the client polls its import until it ends
            if glance.tasks.get(task.id).status in ("success", "failure"):
                break
            time.sleep(0.25)
        recorder.stop_recording()
        yield real, tmp / "rec", endpoint, token, [i.id for i in images], [i.id for i in images
                                                                        if i.visibility == "public"]
    finally:
        recorder.stop()


def test_catalog_points_back_at_the_proxy(recorded):
    real, _, endpoint, _, images, _ = recorded
    assert endpoint.startswith("http://127.0.0.1:") and f":{real.port}/" not in endpoint.split("/_via/")[0]
    assert len(images) == 8


def test_recording_replays_green_against_the_stand_in(recorded):
    real, out, _, _, _, _ = recorded
    _, token = login(real.base + "/rackspace/identity")
    target = HttpTarget(real.base + "/rackspace/images/DFW", token, "X-Auth-Token: {token}")
    scenario = load(out / "scenario.yaml")
    kinds = [(s.kind, (s.spec.get("request") or s.spec.get("wait_until", {}).get("request", {})).get("method"))
             for s in scenario.steps]
    assert ("request", "PUT") in kinds  # the tag
    assert kinds[-2:] == [("request", "POST"), ("wait_until", "GET")]  # the import, then its polling
    text = (out / "scenario.yaml").read_text()
    assert "/v2/tasks/${task_id}" in text
    # Each call is replayed in the path form the client used, and so gets the same kind of link.
    paths = [s.spec["request"]["path"] for s in scenario.steps if "request" in s.spec]
    assert "/v2/v2/images" in paths and "/v2/images" in paths
    assert {"regex": r"^https?://[^/]+/rackspace/images/DFW/v2/images\?limit=2$"} in [
        s.spec["expect"]["body"].get("first") for s in scenario.steps if "expect" in s.spec and "body" in s.spec["expect"]]
    assert f":{real.port}/" not in text  # no recorded host is written down as a literal
    result = Runner(scenario, target).run()
    assert result.passed, [s.detail + str(s.mismatches) for s in result.steps if s.outcome == "failed"]


def test_no_secret_reaches_a_file(recorded):
    _, out, _, token, _, _ = recorded
    assert leaked(out, [API_KEY, token]) == []
    assert "REDACTED" in (out / "session.har").read_text()


def test_observed_task_lifecycle(recorded):
    _, out, _, _, _, _ = recorded
    observed = yaml.safe_load((out / "lifecycles.yaml").read_text())
    (task,) = [r for r in observed["resources"] if r["kind"] == "task"]
    timed = {t["state"]: t["seconds"] for t in task["transitions"]}
    assert [s["state"] for s in task["states"]] == ["pending", "processing", "failure"]
    assert 0.3 <= timed["pending"] <= 2.0 and 1.0 <= timed["processing"] <= 3.5  # the stand-in: 1s, 2s


def test_public_images_become_a_fixture_overlay_a_twin_serves(recorded):
    from cloudtwin.app import build_twin, create_app

    real, out, _, token, _, public = recorded
    overlay = out / "fixtures" / "rackspace" / "images.yaml"
    records = yaml.safe_load(overlay.read_text())["base_images"]
    # Every public image the session listed, once, in the region it listed them in; the
    # account's own images (listed, and one fetched) are not Rackspace's catalogue.
    assert sorted(r["id"] for r in records) == sorted(public) and len(public) >= 2
    assert all(r["regions"] == ["DFW"] and r["visibility"] == "public" for r in records)
    assert not {"self", "file", "schema"} & {k for r in records for k in r}
    assert all(isinstance(v, str) for r in records for v in r.get("properties", {}).values())
    assert leaked(out / "fixtures", [API_KEY, token]) == []

    client = create_app(build_twin(["rackspace"], fixtures=out / "fixtures")).test_client()  # as `serve --fixtures`
    reply = client.post("/rackspace/identity/v2.0/tokens", json={
        "auth": {"RAX-KSKEY:apiKeyCredentials": {"username": USERNAME, "apiKey": API_KEY}}})
    own_token = reply.get_json()["access"]["token"]["id"]
    served = client.get(f"/rackspace/images/DFW/v2/images/{public[0]}", headers={"X-Auth-Token": own_token})
    _, real_token = login(real.base + "/rackspace/identity")
    upstream = requests.get(f"{real.base}/rackspace/images/DFW/v2/images/{public[0]}",
                            headers={"X-Auth-Token": real_token}, timeout=10)
    assert served.status_code == 200 and served.get_json() == upstream.json()  # served as the real one answered
    # The overlay is what is served: the recording saw the image in DFW only.
    elsewhere = client.get(f"/rackspace/images/IAD/v2/images/{public[0]}", headers={"X-Auth-Token": own_token})
    assert elsewhere.status_code == 404


def _exchange(operation: str, url: str, body: dict, started: float):
    import json

    from cloudtwin.recording.operations import Matched
    from cloudtwin.recording.session import Exchange

    return Exchange(started=started, elapsed_ms=1.0, method="GET", url=url, path="/", query="",
                    request_headers=[("Host", "127.0.0.1:9999")], request_body=b"", status=200, reason="OK",
                    response_headers=[], response_body=json.dumps(body).encode(),
                    matched=Matched("rackspace-images", "images", operation, "/", "/", None, {}))


def test_catalogue_keeps_rackspace_images_with_upstream_urls_in_every_region_seen():
    """Without a real endpoint: the catalog the client got pointed through the proxy, yet the
    overlay names the upstream's URLs; an image seen in two regions is one record in both."""
    from cloudtwin.recording.hooks import hooks_for
    from cloudtwin.recording.scrub import Scrubber
    from cloudtwin.recording.session import Session
    from cloudtwin.recording.writer import catalogue

    via = "http://127.0.0.1:9999/_via/https"
    token = {"access": {"token": {"id": "secret-token", "tenant": {"id": "123"}}, "serviceCatalog": [
        {"type": "image", "name": "cloudImages", "endpoints": [
            {"region": region, "publicURL": f"{via}/{region.lower()}.images.api.rackspacecloud.com/v2"}
            for region in ("DFW", "IAD")]}]}}
    rax = {"id": "rax-1", "visibility": "public", "owner": "657197", "name": "Debian", "min_disk": 20,
           "os_distro": "debian", "docs_url": f"{via}/docs.example.com/debian", "self": "/v2/images/rax-1",
           "file": "/v2/images/rax-1/file", "schema": "/v2/schemas/image", "direct_url": "swift://x"}
    own = {**rax, "id": "own-1", "owner": "123"}
    private = {**rax, "id": "private-1", "visibility": "private", "owner": "123"}
    session = Session("rackspace", "https://identity.api.rackspacecloud.com", Scrubber())
    for exchange in [
            _exchange("authenticate", "https://identity.api.rackspacecloud.com/v2.0/tokens", token, 1),
            _exchange("listImages", "https://dfw.images.api.rackspacecloud.com/v2/images",
                      {"images": [rax, own, private]}, 2),
            _exchange("getImage", "https://iad.images.api.rackspacecloud.com/v2/images/rax-1", rax, 3),
            _exchange("getImage", "https://elsewhere.example.com/v2/images/rax-1", rax, 4)]:
        session.add(exchange)
    (record,) = catalogue(session, hooks_for("rackspace"))["images"]["base_images"]
    assert record == {"id": "rax-1", "regions": ["DFW", "IAD"], "name": "Debian", "visibility": "public",
                      "min_disk": 20, "owner": "657197",
                      "properties": {"os_distro": "debian", "docs_url": "https://docs.example.com/debian"}}
