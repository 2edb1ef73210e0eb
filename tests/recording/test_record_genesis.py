"""Genesis through `cloudtwin record` with plain `requests`: the client is unmodified, the
recording replays green against the stand-in, and no secret of the session is in any file."""

from __future__ import annotations

import time

import pytest
import requests
import yaml

from cloudtwin.harness.runner import Runner
from cloudtwin.harness.scenario import load
from cloudtwin.harness.targets import HttpTarget

from .proxyprocess import ProxyProcess, leaked

TOKEN = "gc-default-0000000000000000000000"
API = "/genesis/compute/v1"


def genesis_session(base: str) -> str:
    """What a user's script does: create, poll until active, look at images, delete, poll until gone."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    created = requests.post(f"{base}/instances", headers=headers, timeout=10, json={
        "name": "trainer", "hostname": "trainer", "type": "vcpu-4_memory-16g_nvidia-rtx-3080-1",
        "image": "ubuntu-22.04", "region": "NORD-NO-KRS-1"})
    assert created.status_code == 201, created.text
    instance = created.json()["instance"]["id"]
    for _ in range(30):
        if requests.get(f"{base}/instances/{instance}", headers=headers, timeout=10).json()["instance"]["status"] \
                == "active":
            break
        time.sleep(0.25)
    assert requests.get(f"{base}/images", headers=headers, timeout=10).status_code == 200
    assert requests.delete(f"{base}/instances/{instance}", headers=headers, timeout=10).status_code == 204
    for _ in range(30):
        if requests.get(f"{base}/instances/{instance}", headers=headers, timeout=10).status_code == 404:
            return instance
        time.sleep(0.25)
    raise AssertionError("the instance never went away")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, real):
    tmp = tmp_path_factory.mktemp("genesis")
    recorders: list[ProxyProcess] = []
    stopped = None
    try:
        for name in ("rec", "rec2"):  # the same session twice: what differs between them is volatile
            recorders.append(ProxyProcess("record", "--provider", "genesis", "--target", real.base + API,
                                          "--out", str(tmp / name)))
            genesis_session(recorders[-1].base)
            answer = recorders[-1].stop_recording()
            stopped = stopped or answer
        yield real, tmp / "rec", stopped
    finally:
        for recorder in recorders:
            recorder.stop()


def test_record_writes_every_output(recorded):
    _, out, stopped = recorded
    assert stopped["files"] == ["fixtures/genesis/images.yaml", "latency.yaml", "lifecycles.yaml",
                                "scenario.yaml", "session.har"]
    har = yaml.safe_load((out / "session.har").read_text())
    assert len(har["log"]["entries"]) == stopped["exchanges"]


def test_scenario_templates_ids_and_polls(recorded):
    _, out, _ = recorded
    text = (out / "scenario.yaml").read_text()
    scenario = load(out / "scenario.yaml")  # valid against the scenario schema
    kinds = [s.kind for s in scenario.steps]
    assert kinds == ["request", "wait_until", "request", "request", "wait_until"]
    assert scenario.steps[0].spec["save"] == {"instance_id": "instance.id"}
    assert scenario.steps[1].spec["wait_until"]["expect"]["body"] == {"instance.status": "active"}
    assert scenario.steps[4].spec["wait_until"]["expect"]["status"] == 404
    assert "/instances/${instance_id}" in text
    har = yaml.safe_load((out / "session.har").read_text())
    instance_id = har["log"]["entries"][0]["response"]["content"]["text"]
    assert yaml.safe_load(instance_id)["instance"]["id"] not in text  # never a literal id


def test_observed_lifecycle_has_the_stand_in_timing(recorded):
    _, out, _ = recorded
    observed = yaml.safe_load((out / "lifecycles.yaml").read_text())
    (instance,) = observed["resources"]
    creating = next(t for t in instance["transitions"] if t["state"] == "creating")
    assert creating["then"] == "active" and 1.0 <= creating["seconds"] <= 2.5  # the stand-in says 1.5s


def test_recording_replays_green_against_the_stand_in(recorded):
    real, out, _ = recorded
    result = Runner(load(out / "scenario.yaml"), HttpTarget(real.base + API, TOKEN)).run()
    assert result.passed, [s.detail + str(s.mismatches) for s in result.steps if s.outcome == "failed"]


def test_no_secret_reaches_a_file(recorded):
    _, out, _ = recorded
    assert leaked(out, [TOKEN]) == []
    har = (out / "session.har").read_text()
    assert "REDACTED" in har  # the Authorization header was there, and scrubbed


def test_calibrate_fits_the_stand_in_and_the_overlay_replays_green(recorded, tmp_path, capsys):
    from cloudtwin.cli import main
    from cloudtwin.harness.runner import build_twin_target

    _, out, _ = recorded
    assert main(["calibrate", str(out), "--out", str(tmp_path / "overlay.yaml")]) == 0
    printed = capsys.readouterr().out
    assert "~ instance.creating: 60s -> active" in printed  # the difference from the default fixtures
    overlay = yaml.safe_load((tmp_path / "overlay.yaml").read_text())
    creating = float(overlay["instance"]["creating"]["after"].rstrip("s"))
    assert 1.0 <= creating <= 2.5 and overlay["instance"]["deleting"]["remove"] is True

    scenario = load(out / "scenario.yaml")
    scenario.setup["fixtures"] = {"genesis": {"lifecycles": overlay}}
    target = build_twin_target(scenario)
    result = Runner(scenario, target).run()
    assert result.passed, [s.detail + str(s.mismatches) for s in result.steps if s.outcome == "failed"]
    waited = next(s for s in result.steps if s.step.kind == "wait_until").virtual_s
    assert waited <= creating + 1  # the fresh twin now takes the real provider's time, not a minute


def test_calibrate_refuses_what_is_not_a_recording(tmp_path, capsys):
    from cloudtwin.cli import main

    (tmp_path / "lifecycles.yaml").write_text("just: text\n")
    assert main(["calibrate", str(tmp_path), "--out", str(tmp_path / "o.yaml")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_drift_names_the_lifecycle_timings_and_ignores_what_varies(recorded, tmp_path, capsys):
    from cloudtwin.cli import main
    from cloudtwin.recording.compare import Volatility
    from cloudtwin.recording import operations
    from cloudtwin.app import build_twin

    real, out, _ = recorded
    report = tmp_path / "drift.json"
    status = main(["drift", str(out / "scenario.yaml"), "--base-url", real.base + API, "--token", TOKEN,
                   "--volatile-from", str(out), str(out.parent / "rec2"), "--json", str(report)])
    printed = capsys.readouterr().out
    assert status == 1  # the stand-in differs from the default fixtures
    findings = [f for step in yaml.safe_load(report.read_text())["steps"] for f in step["findings"]]
    timings = {f["lifecycle"]: (f["twin_s"], f["endpoint_s"]) for f in findings if f["kind"] == "timing"}
    assert set(timings) == {"instance.creating", "instance.deleting"}
    assert timings["instance.creating"][0] == 60 and timings["instance.creating"][1] < 5
    assert "lifecycle instance.creating: the twin's fixtures say 60s" in printed

    volatility = Volatility.from_recordings(operations.for_provider(build_twin(["genesis"]), "genesis"),
                                            [out, out.parent / "rec2"])
    learned = set().union(*volatility.learned.values())
    assert {"$.instance.id", "$.instance.dns_name", "$.instance.created_at"} <= learned
    reported = {f["field"] for f in findings if f["kind"] == "value"}
    assert not reported & learned  # what differed between two recordings is never drift
    assert not [f for f in findings if f["kind"] in ("missing", "extra", "status", "failed", "not_run")]


def test_drift_refuses_a_single_recording(recorded, capsys):
    from cloudtwin.cli import main

    real, out, _ = recorded
    assert main(["drift", str(out / "scenario.yaml"), "--base-url", real.base + API, "--volatile-from", str(out)]) == 2
    assert capsys.readouterr().err.startswith("error: --volatile-from:")


def test_calibrated_latency_becomes_the_twins_own_latency_rules(recorded, tmp_path, capsys):
    from cloudtwin.app import build_twin
    from cloudtwin.cli import main

    _, out, _ = recorded
    assert main(["calibrate", str(out), str(out.parent / "rec2"), "--out", str(tmp_path / "calibrated"),
                 "--latency"]) == 0
    assert "latency getInstance: median" in capsys.readouterr().out
    twin = build_twin(["genesis"], fixtures=tmp_path / "calibrated")  # as `serve --fixtures` loads it
    actions = {r.match.operation: r.action.to_dict() for r in twin.faults.rules()}
    assert actions["getInstance"]["type"] == "latency" and actions["getInstance"]["distribution"] == "lognormal"
    assert actions["getInstance"]["ms"] > 0
    creating = twin.fixtures["genesis"]["lifecycles"]["instance"]["creating"]
    assert creating["then"] == "active" and creating["after"] != "60s"
