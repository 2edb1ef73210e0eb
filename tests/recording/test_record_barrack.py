"""Barrack through `cloudtwin record` with plain `requests`: a login (e-mail and password),
a deploy polled to ACTIVE and a delete polled to 404. E-mails and IPs scrubbed on request;
the password, the JWTs and the API key reach no file."""

from __future__ import annotations

import time

import pytest
import requests
import yaml

from cloudtwin.harness.runner import Runner
from cloudtwin.harness.scenario import load
from cloudtwin.harness.targets import HttpTarget

from .proxyprocess import ProxyProcess, files_of, leaked

EMAIL, PASSWORD = "dev@example.com", "Twin-passw0rd"
API_KEY = "bk-default-0000000000000000000000"
API = "/barrack/api/v1"


def barrack_session(base: str) -> dict:
    login = requests.post(f"{base}/auth/token/", json={"email": EMAIL, "password": PASSWORD}, timeout=10)
    assert login.status_code == 200, login.text
    tokens = login.json()
    headers = {"Authorization": f"Bearer {tokens['access']}"}
    assert requests.get(f"{base}/regions/", headers=headers, timeout=10).status_code == 200
    for catalogue in ("os-images", "gpu-specs", "pricing", "volumes/types"):
        assert requests.get(f"{base}/{catalogue}/", headers=headers, timeout=10).status_code == 200
    key = requests.post(f"{base}/ssh-keys/", headers=headers, json={"name": "laptop"}, timeout=10).json()
    deployed = requests.post(f"{base}/instances/", headers=headers, timeout=10, json={
        "name": "web", "region": "FINLAND-1", "gpu_model": "H100-SXM5-80GB", "gpu_count": 1,
        "boot_source": "os_image", "os_image_id": 101, "ssh_key_ids": [key["ssh_key"]["id"]]})
    assert deployed.status_code == 201, deployed.text
    vm = deployed.json()["deployment"]["instance"]["id"]
    for _ in range(30):
        shown = requests.get(f"{base}/instances/{vm}/", headers=headers, timeout=10).json()["instance"]
        if shown["status"] == "ACTIVE":
            break
        time.sleep(0.25)
    assert requests.delete(f"{base}/instances/{vm}/", headers=headers, timeout=10).status_code in (200, 202, 204)
    for _ in range(30):
        if requests.get(f"{base}/instances/{vm}/", headers=headers, timeout=10).status_code == 404:
            # Clean up: Barrack's key names are unique, and a replay makes "laptop" again.
            gone = requests.delete(f"{base}/ssh-keys/{key['ssh_key']['id']}/", headers=headers, timeout=10)
            assert gone.status_code in (200, 204), gone.text
            return {**tokens, "ip": shown.get("floating_ip") or shown.get("fixed_ip")}
        time.sleep(0.25)
    raise AssertionError("the instance never went away")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, real):
    tmp = tmp_path_factory.mktemp("barrack")
    recorder = ProxyProcess("record", "--provider", "barrack", "--target", real.base + API, "--out", str(tmp / "rec"),
                            "--scrub-emails", "--scrub-ips")
    try:
        seen = barrack_session(recorder.base)
        recorder.stop_recording()
        yield real, tmp / "rec", seen
    finally:
        recorder.stop()


def test_catalogue_overlay_in_the_fixture_format(recorded):
    from cloudtwin.app import build_twin

    _, out, _ = recorded
    assert sorted(p.name for p in (out / "fixtures" / "barrack").iterdir()) == [
        "gpus.yaml", "os_images.yaml", "regions.yaml", "volume_types.yaml"]
    twin = build_twin(["barrack"], fixtures=out / "fixtures")  # loads as a `serve --fixtures` overlay
    fixtures = twin.fixtures["barrack"]
    assert fixtures["regions"]["regions"][0]["code"] == "FINLAND-1"
    h100 = fixtures["gpus"]["models"]["H100-SXM5-80GB"]
    assert h100["prices"]["USD"] == 2.69 and h100["configurations"][1]["vcpus"] == 24
    assert fixtures["volume_types"]["tiers"][0]["types"][0]["name"] == "NVMe"


def test_recording_replays_green_against_the_stand_in(recorded):
    real, out, _ = recorded
    scenario = load(out / "scenario.yaml")
    assert all(s.spec.get("request", {}).get("path") != "/auth/token/" for s in scenario.steps)
    result = Runner(scenario, HttpTarget(real.base + API, API_KEY, "X-API-Key: {token}")).run()
    assert result.passed, [s.detail + str(s.mismatches) for s in result.steps if s.outcome == "failed"]


def test_no_secret_email_or_address_reaches_a_file(recorded):
    _, out, seen = recorded
    secrets = [PASSWORD, seen["access"], seen["refresh"], EMAIL, seen["ip"]]
    assert all(secrets) and leaked(out, secrets) == []
    assert len(files_of(out)) == 8


def test_observed_lifecycle(recorded):
    _, out, _ = recorded
    observed = yaml.safe_load((out / "lifecycles.yaml").read_text())
    states = [s["state"] for r in observed["resources"] if r["kind"] == "instance" for s in r["states"]]
    assert states[0] == "CREATING" and "ACTIVE" in states and states[-1] == "(removed)"
