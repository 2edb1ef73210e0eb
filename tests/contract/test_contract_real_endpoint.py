"""`cloudtwin contract --base-url`: what a user meets pointing it at a real endpoint.

A second `cloudtwin serve` on a free loopback port stands in for the real endpoint (nothing real
can be reached from here). Budgets are small so that each run takes seconds.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests

from cloudtwin.cli import main
from cloudtwin.harness import contract
from served_process import TwinProcess, free_port

GENESIS_TOKEN = contract.default_credential(contract.profile("genesis"))
API = "/genesis/compute/v1"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[TwinProcess]:
    served = TwinProcess(providers=("genesis",))
    try:
        yield served
    finally:
        served.stop()


def _run(argv: list[str]) -> int:
    """The command as `cloudtwin` runs it: a parse error exits, a run returns its status."""
    try:
        return main(argv)
    except SystemExit as stop:
        return int(stop.code or 0)


def _journal_mark(endpoint: TwinProcess) -> int:
    return int(requests.get(endpoint.base + "/_twin/journal", params={"limit": 1}, timeout=5).json()["last_seq"])


def _requests_since(endpoint: TwinProcess, mark: int) -> list[dict]:
    """What the endpoint saw since `mark` (the twin's journal: one entry per request)."""
    return requests.get(endpoint.base + "/_twin/journal", timeout=5,
                        params={"provider": "genesis", "since": mark, "limit": 10000}).json()["entries"]


def test_a_run_cut_by_its_budget_ends_cleanly_and_keeps_its_reports(
        endpoint: TwinProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)  # where the default report folder goes
    mark = _journal_mark(endpoint)
    code = _run(["contract", "genesis", "--base-url", endpoint.base + API, "--token", GENESIS_TOKEN,
                 "--max-requests", "12", "--rate-limit", "1000/s"])
    out, err = capfd.readouterr()
    assert code == 0, out + err  # cut short, nothing failed
    assert "Traceback" not in out + err
    summary = out[out.index("Contract summary"):]
    assert "genesis" in summary and "partial" in summary and "12 requests" in summary
    assert "stopped at the request budget (12)" in summary
    assert "operations reached, no failures" in summary
    # The reports outlive the command, in the folder it names.
    [folder] = tmp_path.glob("cloudtwin-contract-genesis-*")
    assert f"Reports in {folder.name}" in summary
    for name in ("genesis.junit.xml", "genesis.har", "genesis.toml", "drift.json"):
        assert (folder / name).is_file(), name
    for kept in folder.iterdir():  # the token is passed in the environment, never written
        assert GENESIS_TOKEN not in kept.read_text(encoding="utf-8"), kept.name
    har = json.loads((folder / "genesis.har").read_text())
    assert 0 < len(har["log"]["entries"]) <= 12
    assert json.loads((folder / "drift.json").read_text())["apis"][0]["api"] == "genesis"
    # The endpoint saw the preflight and at most the budget, and only reads.
    sent = _requests_since(endpoint, mark)
    assert 0 < len(sent) <= 12 + 1
    assert {str(e.get("method")).upper() for e in sent} == {"GET"}


def test_reports_go_where_the_user_asks(endpoint: TwinProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    reports, junit, drift_file = tmp_path / "out" / "reports", tmp_path / "ci" / "junit.xml", tmp_path / "drift.json"
    code = _run(["contract", "genesis", "--base-url", endpoint.base + API, "--token", GENESIS_TOKEN,
                 "--max-requests", "5", "--rate-limit", "1000/s", "--report-dir", str(reports),
                 "--junit", str(junit), "--drift-report", str(drift_file)])
    out = capfd.readouterr().out
    assert code == 0, out
    assert 'name="contract.genesis"' in junit.read_text()
    assert json.loads(drift_file.read_text())["apis"][0]["api"] == "genesis"
    assert {"genesis.junit.xml", "genesis.har", "genesis.toml"} <= {p.name for p in reports.iterdir()}
    assert not list(tmp_path.glob("cloudtwin-contract-*"))  # no second, default folder
    assert f"Reports in {reports}" in out


def test_a_failure_found_before_the_budget_runs_out_fails_the_run(
        endpoint: TwinProcess, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """Every answer a 500: schemathesis' not_a_server_error fails each operation it reaches."""
    rule = requests.post(endpoint.base + "/_twin/faults", timeout=5, json={
        "match": {"provider": "genesis"}, "action": {"type": "error", "status": 500}})
    assert rule.status_code == 201, rule.text
    try:
        code = _run(["contract", "genesis", "--base-url", endpoint.base + API, "--token", GENESIS_TOKEN,
                     "--max-requests", "8", "--rate-limit", "1000/s", "--report-dir", str(tmp_path)])
    finally:
        requests.delete(endpoint.base + "/_twin/faults", timeout=5)
    out, err = capfd.readouterr()
    assert code == 1  # real failures, found within the budget
    summary = out[out.index("Contract summary"):]
    assert "FAILED" in summary and "failed test(s)" in summary and "stopped at the request budget (8)" in summary
    assert "Traceback" not in out + err


def test_one_operation_against_an_endpoint(endpoint: TwinProcess, tmp_path: Path,
                                           capfd: pytest.CaptureFixture[str]) -> None:
    """--operation narrows a read-only run to that operation (and leaves out the stateful phase,
    whose links lead to operations it excludes)."""
    mark = _journal_mark(endpoint)
    code = _run(["contract", "genesis", "--base-url", endpoint.base + API, "--token", GENESIS_TOKEN,
                 "--operation", "listImages", "-n", "2", "--max-requests", "40", "--rate-limit", "1000/s",
                 "--report-dir", str(tmp_path)])
    out = capfd.readouterr().out
    assert code == 0, out
    assert "of 1 operations reached" in out
    assert {e["operation"] for e in _requests_since(endpoint, mark)} <= {"listImages", None}


def _free_port() -> int:
    return free_port()


@pytest.fixture()
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel completes them) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


@pytest.mark.parametrize("where, reason", [
    ("refused", "connection refused"),
    ("dns", "does not resolve"),
    ("silent", "sent no answer within 5 s"),
])
def test_an_unreachable_endpoint_is_reported_in_seconds(
        where: str, reason: str, request: pytest.FixtureRequest, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    url = {"refused": lambda: f"http://127.0.0.1:{_free_port()}/v1",
           "dns": lambda: "http://no-such-host.invalid/v1",
           "silent": lambda: f"http://127.0.0.1:{request.getfixturevalue('silent_port')}/v1"}[where]()
    started = time.monotonic()
    code = _run(["contract", "genesis", "--base-url", url, "--token", "t"])
    elapsed = time.monotonic() - started
    out, err = capfd.readouterr()
    assert code == 2
    assert err.strip().count("\n") == 0 and f"--base-url {url}" in err and reason in err
    assert "Schemathesis" not in out  # the suite never started ...
    assert not list(tmp_path.iterdir())  # ... and left no empty report folder
    assert elapsed < 20  # the preflight's own timeout, not schemathesis' per-operation retries (100 s)


BASE = "http://127.0.0.1:9/v1"


@pytest.mark.parametrize("argv, names", [
    (["genesis", "--base-url", BASE, "--token", "t", "--max-requests", "-1"], "--max-requests"),
    (["genesis", "--max-requests", "lots"], "--max-requests"),
    (["genesis", "--base-url", BASE, "--token", "t", "--rate-limit", "abc"], "--rate-limit"),
    (["genesis", "--base-url", "notaurl", "--token", "t"], "--base-url"),
    (["genesis", "--base-url", "http://host:99999/v1", "--token", "t"], "--base-url"),
    (["genesiss"], "genesiss"),
    (["rackspace", "--api", "imagez"], "--api"),
    (["genesis", "--api", "images"], "--api"),
    (["rackspace", "--base-url", BASE, "--token", "t"], "--api"),
    (["genesis", "--base-url", BASE], "--token"),
    (["genesis", "--token", "t"], "--token"),
    (["genesis", "-n", "0"], "--max-examples"),
    (["genesis", "--phases", "examples,fuzzy"], "--phases"),
    (["genesis", "--operation", "listImagez"], "--operation"),
    (["genesis", "--base-url", BASE, "--token", "t", "--operation", "createInstance"], "--operation"),
    (["genesis", "--param", "account"], "--param"),
    (["genesis", "--seed", "x"], "--seed"),
    (["genesis", "--junit", "/proc/no/such/junit.xml"], "--junit"),
    (["genesis", "--check-recording", "/nonexistent/recording.json"], "--check-recording"),
])
def test_a_flag_mistake_is_one_line_naming_the_flag(argv: list[str], names: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code = _run(["contract", *argv])
    out, err = capfd.readouterr()
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and names in lines[0], err
    assert "Traceback" not in out + err
    assert not list(tmp_path.iterdir())  # nothing ran, nothing was left behind


def test_the_contract_command_module_imports_nothing_heavy() -> None:
    """`cloudtwin contract --help` builds this module's parser: schemathesis, hypothesis and the
    twin itself are imported only when a run starts."""
    heavy = ("schemathesis", "hypothesis", "cloudtwin.app", "cloudtwin.harness.contract_hooks")
    probe = ("import sys; import cloudtwin.harness.contract_cli, cloudtwin.harness.contract_endpoint; "
             f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert found.stdout.strip() == "[]"
