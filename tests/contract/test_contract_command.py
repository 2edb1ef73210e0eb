"""`cloudtwin contract`: the CLI run against a served twin, the drift report, recorded answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cloudtwin.cli import main
from cloudtwin.harness import contract, drift
from cloudtwin.providers.genesis.handlers import handlers as genesis_handlers

IMAGE = {
    "id": "1ace05f5-55e1-48b4-8db2-087391f3e49b", "name": "x", "status": "active", "visibility": "private",
    "protected": False, "tags": [], "container_format": "ovf", "disk_format": "vhd", "min_disk": 0, "min_ram": 0,
    "created_at": "2016-04-12T16:20:11Z", "updated_at": "2016-04-12T16:20:11Z", "self": "/v2/images/x",
    "file": "/v2/images/x/file", "schema": "/v2/schemas/image", "owner": "100001",
    "size": None, "virtual_size": None, "checksum": None,
}


def test_a_broken_twin_response_is_reported_as_drift(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capfd: pytest.CaptureFixture[str]) -> None:
    """The served twin runs in this process: a patched handler breaks its answers for the CLI run."""
    original = genesis_handlers.get("listImages")

    def without_total(call: Any) -> Any:
        page = original(call)  # type: ignore[misc]
        page.pop("total_count")
        page["surprise"] = True
        return page

    monkeypatch.setitem(genesis_handlers._by_operation, "listImages", without_total)
    report, junit = tmp_path / "drift.json", tmp_path / "junit.xml"
    code = main(["contract", "genesis", "--operation", "listImages", "--phases", "examples,fuzzing", "-n", "3",
                 "--positive-only", "--drift-report", str(report), "--junit", str(junit),
                 "--report-dir", str(tmp_path / "reports")])
    out = capfd.readouterr().out
    assert code == 1  # schemathesis failed the run (ST108) ...
    assert "FAILED" in out and "ST108" in out
    data = json.loads(report.read_text())  # ... and the drift report says what differs, where
    [api] = data["apis"]
    [operation] = [o for o in api["operations"] if o["operationId"] == "listImages"]
    kinds = {(f["kind"], f["where"]) for f in operation["findings"]}
    assert ("missing_field", "$.total_count") in kinds
    assert ("extra_field", "$.surprise") in kinds
    assert "GET /images (listImages)" in out
    assert 'name="contract.genesis"' in junit.read_text()


def test_an_unbroken_twin_passes_with_no_drift(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "drift.json"
    code = main(["contract", "rackspace", "--api", "files", "-n", "3", "--drift-report", str(report),
                 "--report-dir", str(tmp_path)])
    assert code == 0, capfd.readouterr().out
    assert json.loads(report.read_text())["apis"][0]["operations_with_drift"] == 0


def test_a_recorded_answer_is_checked_offline(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    recording = tmp_path / "recorded.json"
    bad = {k: v for k, v in IMAGE.items() if k != "name"} | {"status": "melting", "created_at": "yesterday",
                                                             "os_flavour": "x"}
    recording.write_text(json.dumps({"exchanges": [
        {"method": "GET", "path": "/v2/images/1ace05f5-55e1-48b4-8db2-087391f3e49b", "status": 200,
         "headers": {"Content-Type": "application/json; charset=UTF-8"}, "body": bad},
        {"method": "GET", "path": "https://dfw.images.api.rackspacecloud.com/v2/images", "status": 418,
         "headers": {}, "body": None},
        {"method": "GET", "path": "/v2/schemas/image", "status": 200, "headers": {"Content-Type": "application/json"},
         "body": "not json"},
    ]}))
    report = tmp_path / "drift.json"
    code = main(["contract", "rackspace", "--api", "images", "--check-recording", str(recording),
                 "--drift-report", str(report)])
    out = capfd.readouterr().out
    assert code == 1
    operations = {o["operation"]: o for o in json.loads(report.read_text())["apis"][0]["operations"]}
    found = {(f["kind"], f["where"]) for f in operations["GET /v2/images/{image_id}"]["findings"]}
    assert {("missing_field", "$.name"), ("enum", "$.status"), ("format", "$.created_at")} <= found
    assert not any(where.endswith("os_flavour") for _, where in found)  # Glance takes custom string properties
    assert [f["kind"] for f in operations["GET /v2/images"]["findings"]] == ["status"]
    assert "GET /v2/images/{image_id} (getImage)" in out


def test_a_recording_that_agrees_has_no_drift(tmp_path: Path) -> None:
    recording = tmp_path / "recorded.json"
    recording.write_text(json.dumps([{"method": "GET", "path": "/v2/images/" + IMAGE["id"], "status": 200,
                                      "headers": {"Content-Type": "application/json"}, "body": IMAGE}]))
    assert main(["contract", "rackspace", "--api", "images", "--check-recording", str(recording)]) == 0


def test_real_endpoint_defaults_are_safe(tmp_path: Path) -> None:
    from cloudtwin.harness.contract_cli import _schemathesis_cmd
    import argparse

    args = argparse.Namespace(seed=1, max_examples=5, negative=False, positive_only=False, phases=None,
                              allow_writes=False, rate_limit="5/s", operation=None)
    cmd = _schemathesis_cmd(tmp_path / "c.toml", Path("spec.yaml"), "https://api.example", args, True, {})
    excluded = {cmd[i + 1] for i, arg in enumerate(cmd) if arg == "--exclude-method"}
    assert excluded >= {"POST", "PUT", "PATCH", "DELETE"} and "GET" not in excluded
    assert cmd[cmd.index("--mode") + 1] == "positive"
    assert cmd[cmd.index("--rate-limit") + 1] == "5/s"


def test_the_recording_format_is_validated() -> None:
    with pytest.raises(ValueError, match="exchange 0"):
        drift.load_recording([{"method": "GET"}])
    assert contract.PROVIDER_APIS["rackspace"] == ["rackspace-images", "rackspace-identity", "rackspace-files"]


def test_against_an_endpoint_only_reads_and_keeps_to_the_budget(tmp_path: Path,
                                                                capfd: pytest.CaptureFixture[str]) -> None:
    """A served twin stands in for a production account: GETs only, at most --max-requests sent."""
    from cloudtwin.harness.handle import ServedTwin

    served = ServedTwin(["rackspace"], seed=7)
    try:
        base = served.base_url("rackspace", "images")
        code = main(["contract", "rackspace", "--api", "images", "--base-url", base, "--token",
                     served.token("rackspace"), "--max-requests", "25", "--rate-limit", "100/s",
                     "--report-dir", str(tmp_path)])
        out = capfd.readouterr().out
        entries = [e for e in served.journal(limit=10000) if "/images" in str(e.get("path", ""))]
    finally:
        served.close()
    assert "read-only" in out and "request budget (25)" in out
    assert code == 0  # cut short by the budget, nothing failed: a partial result
    assert "partial" in out[out.index("Contract summary"):]
    assert 0 < len(entries) <= 25 + 1  # the budget, and the preflight
    assert {str(e.get("method")).upper() for e in entries} == {"GET"}


def test_the_phases_run_side_by_side_and_report_as_one_run(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """With --jobs 2 against the twin, coverage + stateful and fuzzing run in two processes, each with a
    twin of its own; the summary, the JUnit and the HAR are those of one run over every operation."""
    code = main(["contract", "rackspace", "--api", "images", "-n", "1", "--jobs", "2", "--report-dir", str(tmp_path)])
    out = capfd.readouterr().out
    assert code == 0, out[-3000:]
    assert "phases side by side in 2 processes (--jobs 2)" in out
    assert "--- phases examples, coverage, stateful ---" in out and "--- phases fuzzing ---" in out
    assert "28 of 28 operations reached, no failures" in out
    suites = (tmp_path / "rackspace-images.junit.xml").read_text()
    assert suites.count("<testsuite ") == 2 and "<testcase " in suites
    entries = json.loads((tmp_path / "rackspace-images.har").read_text())["log"]["entries"]
    sent = int(out.split("rackspace-images     passed")[1].split("requests")[0])
    assert 0 < len(entries) <= sent
