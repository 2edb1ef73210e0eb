"""The CLI verbs against a served twin: status, resources, journal, faults, clock, state.

Each verb runs as the user types it (`cloudtwin.cli.main`), over HTTP, against one
`cloudtwin serve` for the module; `--json` output is parsed; every failure is one line, exit 2.
"""

from __future__ import annotations

import http.server
import json
import select
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from served_process import TwinProcess, free_port

from cloudtwin.cli import main

pytestmark = pytest.mark.served

TOKEN = "gc-default-0000000000000000000000"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
GENESIS = "/genesis/compute/v1"


@pytest.fixture(scope="module")
def twin() -> Iterator[TwinProcess]:
    served = TwinProcess("--seed", "5", providers=("genesis",))
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture(autouse=True)
def _clean(twin: TwinProcess) -> None:
    requests.delete(twin.base + "/_twin/faults", timeout=5)


def run(twin: TwinProcess, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--url", twin.base])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(twin: TwinProcess, capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = run(twin, capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def create_volume(twin: TwinProcess, name: str) -> str:
    response = requests.post(twin.base + GENESIS + "/volumes", headers=AUTH, timeout=5,
                             json={"name": name, "size": 10, "region": "NORD-NO-KRS-1"})
    assert response.status_code == 201, response.text
    return str(response.json()["volume"]["id"])


def one_error_line(code: int, err: str) -> str:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err
    return lines[0]


# status ----------------------------------------------------------------------------------
def test_status_shows_version_providers_clock_and_counts(twin: TwinProcess, capsys: pytest.CaptureFixture[str]) -> None:
    create_volume(twin, "status-volume")
    code, out, _ = run(twin, capsys, "status")
    assert code == 0
    assert f"at {twin.base} (seed 5)" in out and "providers   genesis" in out
    assert "UTC, running" in out
    summary = run_json(twin, capsys, "status")
    assert summary["providers"] == ["genesis"] and summary["seed"] == 5
    assert summary["clock"]["frozen"] is False
    assert summary["resources"] >= 1 and summary["accounts"] >= 1
    assert isinstance(summary["journal_last_seq"], int) and isinstance(summary["next_events"], list)


# resources -------------------------------------------------------------------------------
def test_resources_lists_filters_pages_and_shows_one(twin: TwinProcess, capsys: pytest.CaptureFixture[str]) -> None:
    ids = [create_volume(twin, f"listed-{n}") for n in range(3)]
    code, out, _ = run(twin, capsys, "resources", "genesis", "volume")
    assert code == 0
    assert out.splitlines()[0].split() == ["PROVIDER", "KIND", "ID", "NAME", "STATE", "REGION", "ACCOUNT", "CREATED"]
    assert all(volume_id in out for volume_id in ids)

    listed = run_json(twin, capsys, "resources", "genesis", "volume", "-q", "listed-")
    assert sorted(item["id"] for item in listed["items"]) == sorted(ids)
    assert {item["kind"] for item in listed["items"]} == {"volume"} and listed["total"] == 3

    paged = run_json(twin, capsys, "resources", "genesis", "volume", "-q", "listed-", "--limit", "1", "--all")
    assert sorted(item["id"] for item in paged["items"]) == sorted(ids) and paged["next"] is None
    code, out, _ = run(twin, capsys, "resources", "genesis", "volume", "-q", "listed-", "--limit", "1")
    assert "1 of 3; more with --all, or --cursor " in out

    shown = run_json(twin, capsys, "resources", "genesis", "volume", ids[0])
    assert shown["body"]["volume"]["id"] == ids[0]
    assert shown["history"] and shown["history"][-1]["state"] == shown["resource"]["state"]
    code, out, _ = run(twin, capsys, "resources", "genesis", "volume", ids[0])
    assert code == 0 and "history" in out and "as the provider returns it" in out and ids[0] in out


def test_resources_of_an_unknown_id_or_provider_is_one_line(twin: TwinProcess,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(twin, capsys, "resources", "genesis", "volume", "no-such-volume")
    assert "the twin refused GET /_twin/resources/genesis/volume/no-such-volume (404)" in one_error_line(code, err)
    code, _, err = run(twin, capsys, "resources", "genesys")
    assert one_error_line(code, err) == "error: the twin serves no provider 'genesys' (it serves genesis)"


# journal ---------------------------------------------------------------------------------
def test_journal_is_a_table_of_requests_without_the_control_plane(twin: TwinProcess,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    create_volume(twin, "journaled")
    code, out, _ = run(twin, capsys, "journal", "--limit", "5")
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == ["SEQ", "VIRTUAL", "TIME", "PROVIDER", "ACCOUNT", "OPERATION", "STATUS", "FAULT", "MS"]
    assert any("genesis" in row and "default" in row and "createVolume" in row and " 201 " in row for row in rows)
    assert not any("_twin" in row for row in rows)

    document = run_json(twin, capsys, "journal", "--operation", "createVolume", "--status", "201")
    assert document["entries"] and {e["operation"] for e in document["entries"]} == {"createVolume"}
    requests.get(twin.base + GENESIS + "/no-such-route", headers=AUTH, timeout=5)
    code, out, _ = run(twin, capsys, "journal", "--unmatched")
    assert code == 0 and "GET /genesis/compute/v1/no-such-route" in out and " 404 " in out
    assert "createVolume" not in out
    with_admin = run_json(twin, capsys, "journal", "--control-plane", "--limit", "200")
    assert any(e["provider"] == "_twin" for e in with_admin["entries"])


def test_journal_follow_prints_new_requests_as_they_come(twin: TwinProcess) -> None:
    since = requests.get(twin.base + "/_twin/journal", params={"limit": 1}, timeout=5).json()["last_seq"]
    follower = subprocess.Popen([sys.executable, "-m", "cloudtwin", "journal", "--follow", "--json", "--url", twin.base,
                                 "--since", str(since), "--interval", "0.1", "--operation", "createVolume"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)  # it has started following (`--since` catches the entry either way)
        volume_id = create_volume(twin, "followed")
        assert follower.stdout is not None
        ready, _, _ = select.select([follower.stdout], [], [], 30)
        assert ready, "cloudtwin journal --follow printed nothing within 30 s"
        entry = json.loads(follower.stdout.readline())
        assert entry["operation"] == "createVolume" and entry["status"] == 201 and volume_id in entry["response_body"]
    finally:
        follower.terminate()
        follower.communicate(timeout=10)


def test_journal_follow_as_a_table_prints_its_header_once(twin: TwinProcess) -> None:
    follower = subprocess.Popen([sys.executable, "-m", "cloudtwin", "journal", "--follow", "--url", twin.base,
                                 "--interval", "0.1", "--operation", "createVolume", "--limit", "1"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    try:
        assert follower.stdout is not None
        ready, _, _ = select.select([follower.stdout], [], [], 30)
        assert ready
        lines.append(follower.stdout.readline())  # the header comes first, rows or not
        before = requests.get(twin.base + "/_twin/journal", params={"limit": 1}, timeout=5).json()["last_seq"]
        create_volume(twin, "followed-in-a-table")
        while not any(line.split()[:1] and line.split()[0].isdigit() and int(line.split()[0]) > before
                      for line in lines):
            ready, _, _ = select.select([follower.stdout], [], [], 30)
            assert ready, f"no new row after {lines}"
            lines.append(follower.stdout.readline())
    finally:
        follower.terminate()
        follower.communicate(timeout=10)
    assert lines[0].split()[:3] == ["SEQ", "VIRTUAL", "TIME"]
    assert sum(line.startswith("SEQ ") for line in lines) == 1
    newest = lines[-1].split()
    assert newest[3:7] == ["genesis", "default", "createVolume", "201"]


# faults ----------------------------------------------------------------------------------
def test_faults_add_from_flags_fires_and_shows_in_list_and_journal(twin: TwinProcess,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    added = run_json(twin, capsys, "faults", "add", "--provider", "genesis", "--operation", "listVolumes",
                     "--first", "1", "--action", "rate_limit", "--retry-after", "7", "--id", "slow-down")
    rule = added["faults"][0]
    assert rule["id"] == "slow-down" and rule["schedule"] == {"mode": "first", "n": 1}
    assert rule["action"]["type"] == "rate_limit" and rule["action"]["retry_after"] == 7

    refused = requests.get(twin.base + GENESIS + "/volumes", headers=AUTH, timeout=5)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "7"
    listed = run_json(twin, capsys, "faults", "list")["faults"]
    assert [(r["id"], r["matched"], r["fired"]) for r in listed] == [("slow-down", 1, 1)]
    code, out, _ = run(twin, capsys, "faults")
    assert code == 0 and "slow-down" in out and "first 1" in out and "rate_limit retry_after=7" in out

    code, out, _ = run(twin, capsys, "journal", "--fault")
    assert "listVolumes" in out and "429" in out and "slow-down rate_limit" in out

    code, out, _ = run(twin, capsys, "faults", "rm", "slow-down")
    assert code == 0 and "removed slow-down" in out
    assert run_json(twin, capsys, "faults")["faults"] == []


def test_faults_add_from_a_yaml_file_with_flags_over_each_rule(twin: TwinProcess, capsys: pytest.CaptureFixture[str],
                                                              tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("faults:\n"
                     "  - {match: {operation: listVolumes}, action: {type: error, status: 503}}\n"
                     "  - {match: {operation: listInstances}, action: {type: latency, ms: 1}}\n")
    added = run_json(twin, capsys, "faults", "add", str(rules), "--provider", "genesis", "--nth", "2")["faults"]
    assert [r["match"] for r in added] == [{"provider": "genesis", "operation": "listVolumes"},
                                           {"provider": "genesis", "operation": "listInstances"}]
    assert all(r["schedule"] == {"mode": "nth", "n": 2} for r in added)
    assert run_json(twin, capsys, "faults", "rm", added[0]["id"]) == {"removed": [added[0]["id"]]}
    code, out, _ = run(twin, capsys, "faults", "clear")
    assert code == 0 and out.strip() == "no fault rules"
    assert run_json(twin, capsys, "faults", "clear") == {"faults": []}
    assert run_json(twin, capsys, "faults")["faults"] == []


@pytest.mark.parametrize(("argv", "fragment"), [
    (("--provider", "genesis", "--operation", "noSuchOperation", "--action", "error"),
     "error: the twin refused POST /_twin/faults (400): No operation 'noSuchOperation' in genesis"),
    (("--action", "meteor"), "'meteor'"),
    (("--provider", "genesis",), "faults add needs an action"),
    (("missing.yaml",), "missing.yaml: cannot read (No such file or directory)"),
    (("--action", "error", "--set", "oops"), "--set 'oops': expected KEY=VALUE"),
])
def test_a_bad_fault_rule_is_one_line_with_the_reason(twin: TwinProcess, capsys: pytest.CaptureFixture[str],
                                                      argv: tuple[str, ...], fragment: str) -> None:
    code, _, err = run(twin, capsys, "faults", "add", *argv)
    assert fragment in one_error_line(code, err)
    assert run_json(twin, capsys, "faults")["faults"] == []  # nothing half-added


def test_a_broken_fault_file_names_its_line(twin: TwinProcess, capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("match: {operation: listVolumes}\naction: [error\n")
    code, _, err = run(twin, capsys, "faults", "add", str(broken))
    assert f"{broken}: not valid JSON or YAML at line" in one_error_line(code, err)


# clock -----------------------------------------------------------------------------------
def test_clock_shows_freezes_advances_sets_and_unfreezes(twin: TwinProcess, capsys: pytest.CaptureFixture[str]) -> None:
    frozen = run_json(twin, capsys, "clock", "freeze")
    assert frozen["frozen"] is True
    advanced = run_json(twin, capsys, "clock", "advance", "2h")
    assert advanced["epoch"] == pytest.approx(frozen["epoch"] + 7200)
    seconds = run_json(twin, capsys, "clock", "advance", "90")
    assert seconds["epoch"] == pytest.approx(advanced["epoch"] + 90)
    shown = run_json(twin, capsys, "clock")
    assert shown["epoch"] == pytest.approx(seconds["epoch"]) and isinstance(shown["next_events"], list)
    code, out, _ = run(twin, capsys, "clock", "set", "2099-01-01T00:00:00Z")
    assert code == 0 and out.startswith("2099-01-01 00:00:00 UTC, frozen;") and "due events applied" in out
    running = run_json(twin, capsys, "clock", "unfreeze")
    assert running["frozen"] is False and running["now"].startswith("2099-01-01")


@pytest.mark.parametrize(("argv", "fragment"), [
    (("clock", "set", "next tuesday"), "the twin refused POST /_twin/clock/set (400)"),
    (("clock", "advance"), "clock advance needs a value"),
    (("clock", "advance", "soon"), "the twin refused POST /_twin/clock/advance (400)"),
    (("clock", "unfreeze", "now"), "clock unfreeze takes no value"),
])
def test_a_bad_clock_move_is_one_line(twin: TwinProcess, capsys: pytest.CaptureFixture[str],
                                      argv: tuple[str, ...], fragment: str) -> None:
    code, _, err = run(twin, capsys, *argv)
    assert fragment in one_error_line(code, err)


# state -----------------------------------------------------------------------------------
def test_state_export_then_import_puts_the_twin_back(twin: TwinProcess, capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path) -> None:
    saved = tmp_path / "twin.json"
    kept = create_volume(twin, "kept")
    code, out, _ = run(twin, capsys, "state", "export", str(saved))
    assert code == 0 and f"exported the twin's state to {saved}" in out
    assert json.loads(saved.read_text())["format"] == "cloudtwin-state"
    later = create_volume(twin, "later")
    code, out, _ = run(twin, capsys, "state", "import", str(saved))
    assert code == 0 and f"imported {saved}" in out
    volumes = {v["id"] for v in requests.get(twin.base + GENESIS + "/volumes", headers=AUTH, timeout=5).json()["volumes"]}
    assert kept in volumes and later not in volumes
    again = tmp_path / "again.json"
    assert run_json(twin, capsys, "state", "export", str(again))["bytes"] == again.stat().st_size
    assert run_json(twin, capsys, "state", "import", str(again)) == {"imported": str(again)}


def test_importing_a_file_that_is_no_state_is_one_line(twin: TwinProcess, capsys: pytest.CaptureFixture[str],
                                                      tmp_path: Path) -> None:
    not_json = tmp_path / "notes.txt"
    not_json.write_text("hello")
    code, _, err = run(twin, capsys, "state", "import", str(not_json))
    assert f"{not_json}: not JSON" in one_error_line(code, err)
    other = tmp_path / "other.json"
    other.write_text('{"format": "something-else"}')
    code, _, err = run(twin, capsys, "state", "import", str(other))
    assert "the twin refused PUT /_twin/state (400)" in one_error_line(code, err)


# A wrong --url ---------------------------------------------------------------------------
class _NotATwin(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        body = b"<html>a web page</html>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def not_a_twin() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotATwin)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("verb", [("status",), ("journal",), ("faults", "list"), ("clock", "advance", "1h"),
                                  ("resources",), ("state", "export")])
def test_nothing_listening_is_one_line_exit_2_for_every_verb(verb: tuple[str, ...],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    code = main([*verb, "--url", url])
    _, err = capsys.readouterr()
    assert one_error_line(code, err) == (f"error: no twin is listening at {url} (connection refused); "
                                         "start one with `cloudtwin serve` or pass --url")


def test_a_server_that_is_not_a_twin_is_one_line(not_a_twin: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["status", "--url", not_a_twin])
    _, err = capsys.readouterr()
    assert one_error_line(code, err) == (f"error: {not_a_twin} is not a cloudtwin control plane: "
                                         "GET /_twin/health answered 404 text/html")


@pytest.mark.parametrize("url", ["ftp://127.0.0.1:8080", "127.0.0.1:8080", "http://", "http://127.0.0.1:99999"])
def test_a_url_that_is_no_http_url_is_one_line(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["status", "--url", url])
    _, err = capsys.readouterr()
    assert one_error_line(code, err).startswith(f"error: --url {url!r} ")


def test_a_wrong_url_from_the_environment_is_one_line_from_the_real_command() -> None:
    port = free_port()
    result = subprocess.run([sys.executable, "-m", "cloudtwin", "journal"], capture_output=True, text=True,
                            timeout=60, env={**_environ(), "CLOUDTWIN_URL": f"http://127.0.0.1:{port}"})
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (f"error: no twin is listening at http://127.0.0.1:{port} (connection refused); "
                             "start one with `cloudtwin serve` or pass --url\n")


def test_https_against_a_plain_http_twin_says_so(twin: TwinProcess, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["status", "--url", twin.base.replace("http://", "https://")])
    _, err = capsys.readouterr()
    assert "is it an http:// URL?" in one_error_line(code, err)


def test_the_admin_token_is_asked_for_then_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    served = TwinProcess("--admin-token", "s3cret")
    try:
        code = main(["faults", "--url", served.base])
        _, err = capsys.readouterr()
        assert "refused the admin token" in one_error_line(code, err) and "--admin-token" in err
        assert main(["faults", "--url", served.base, "--admin-token", "s3cret"]) == 0
        assert capsys.readouterr().out.strip() == "no fault rules"
    finally:
        served.stop()


def _environ() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k not in ("CLOUDTWIN_URL", "CLOUDTWIN_ADMIN_TOKEN")}
