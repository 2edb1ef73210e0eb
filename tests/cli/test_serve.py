"""`cloudtwin serve` as a newcomer runs it: banner, Ctrl-C, --state-file, the admin token."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests
from served_process import TwinProcess, free_port

TOKEN = "gc-default-0000000000000000000000"


Served = TwinProcess


@pytest.fixture
def state_file(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "twin.state.json"


def test_banner_ctrl_c_and_state_file_round_trip(state_file: Path) -> None:
    first = Served("--seed", "3", "--state-file", str(state_file))
    created = requests.post(first.base + "/genesis/compute/v1/volumes", headers={"Authorization": f"Bearer {TOKEN}"},
                            json={"name": "keep-me", "size": 10, "region": "NORD-NO-KRS-1"}, timeout=5)
    assert created.status_code == 201
    code, output = first.interrupt()
    assert code == 0
    assert f"{first.base}/genesis/compute/v1" in output and f"token={TOKEN}" in output
    saved = json.loads(state_file.read_text())
    assert saved["format"] == "cloudtwin-state"

    second = Served("--seed", "3", "--state-file", str(state_file))
    try:
        volumes = requests.get(second.base + "/genesis/compute/v1/volumes",
                               headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5).json()["volumes"]
        assert [v["id"] for v in volumes] == [created.json()["volume"]["id"]]
    finally:
        second.interrupt()


def test_an_old_state_file_is_refused_with_a_clear_message(state_file: Path) -> None:
    state_file.write_text(json.dumps({"format": "cloudtwin-state", "version": 0}))
    port = free_port()
    result = subprocess.run([sys.executable, "-m", "cloudtwin", "serve", "--port", str(port), "--provider", "genesis",
                             "--state-file", str(state_file)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "state version 0 cannot be loaded" in result.stderr
    assert "Traceback" not in result.stderr


def test_beyond_loopback_the_control_plane_needs_the_admin_token() -> None:
    served = Served("--host", "0.0.0.0", "--admin-token", "s3cret")
    try:
        assert requests.get(served.base + "/_twin/health", timeout=5).status_code == 200
        refused = requests.get(served.base + "/_twin/accounts", timeout=5)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
        allowed = requests.get(served.base + "/_twin/accounts", headers={"Authorization": "Bearer s3cret"}, timeout=5)
        assert allowed.status_code == 200
    finally:
        served.interrupt()


def test_state_is_saved_on_a_schedule(state_file: Path) -> None:
    served = Served("--state-file", str(state_file), "--save-every", "0.2")
    try:
        requests.post(served.base + "/genesis/compute/v1/volumes", headers={"Authorization": f"Bearer {TOKEN}"},
                      json={"name": "scheduled", "size": 10, "region": "NORD-NO-KRS-1"}, timeout=5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if state_file.exists() and "scheduled" in state_file.read_text():
                break
            time.sleep(0.1)
        assert "scheduled" in state_file.read_text()  # written while the twin still runs
    finally:
        served.interrupt()


KILLER = """
import json, sys
from pathlib import Path
from cloudtwin.app import build_twin
from cloudtwin.server import save_state
twin = build_twin(["genesis"], seed=int(sys.argv[2]))
for i in range(300):
    twin.store.insert("genesis", "note", "default", f"n{i}", {"text": "x" * 2000})
print("ready", flush=True)
while True:
    save_state(twin, Path(sys.argv[1]))
"""


def test_a_kill_9_during_saves_leaves_a_loadable_file(tmp_path: Path) -> None:
    from cloudtwin.app import build_twin

    target = tmp_path / "state.json"
    for attempt in range(5):
        process = subprocess.Popen([sys.executable, "-c", KILLER, str(target), str(attempt)],
                                   stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        time.sleep(0.05 + 0.03 * attempt)  # somewhere in the middle of a save
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        state = json.loads(target.read_text())  # never half-written
        twin = build_twin(["genesis"])
        twin.import_state(state)
        assert len(twin.store.table("genesis", "note")) == 300
    assert not [p for p in tmp_path.iterdir() if p.name != "state.json" and not p.name.endswith(".tmp")]


def _ipv6_loopback() -> bool:
    import socket
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback(), reason="this machine has no IPv6 loopback")
def test_an_ipv6_host_serves_and_the_banner_brackets_it() -> None:
    process = subprocess.Popen([sys.executable, "-m", "cloudtwin", "serve", "--host", "::1", "--port", "0",
                                "--provider", "genesis"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # `--port 0`: the banner names the port it bound
        assert first.startswith("cloudtwin 0.1.0 serving on http://[::1]:"), first
        base = first.split()[4]
        deadline = time.monotonic() + 30
        while True:
            try:
                assert requests.get(base + "/_twin/health", timeout=2).json()["status"] == "ok"
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the twin did not answer on [::1]"
                time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


KILLED_MID_SAVE = """
import sys, time
from pathlib import Path
from cloudtwin.server import save_state

class SlowToExport:  # the temp file exists while the state is being written
    def export_state(self):
        print("saving", flush=True)
        time.sleep(120)
        return {}

save_state(SlowToExport(), Path(sys.argv[1]))
"""


def test_a_save_killed_half_way_leaves_nothing_after_the_next_start(state_file: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from cloudtwin.cli import main

    state_file.write_text("{not json")  # the previous state (here unusable, so the start stops early)
    saver = subprocess.Popen([sys.executable, "-c", KILLED_MID_SAVE, str(state_file)], stdout=subprocess.PIPE,
                             text=True)
    assert saver.stdout is not None and saver.stdout.readline() == "saving\n"
    saver.send_signal(signal.SIGKILL)
    saver.wait(timeout=10)
    left = list(state_file.parent.glob(state_file.name + ".*.tmp"))
    assert len(left) == 1 and state_file.read_text() == "{not json"  # the kill left a temp file, the file intact
    assert main(["serve", "--port", "0", "--provider", "genesis", "--state-file", str(state_file)]) == 2
    assert str(state_file) in capsys.readouterr().err
    assert not list(state_file.parent.glob(state_file.name + ".*.tmp"))


def test_a_serving_process_freezes_what_start_up_built_and_collects_young_objects_less_often() -> None:
    """Run apart: the tuning is for a server's own process, never a test runner's."""
    probe = ("import gc; from cloudtwin.app import build_twin; from cloudtwin.server import "
             "SERVING_GC_THRESHOLD, tune_collector_for_serving; twin = build_twin(); "
             "before = gc.get_threshold(); tune_collector_for_serving(); "
             "print(before[0], gc.get_threshold()[0] == SERVING_GC_THRESHOLD, gc.get_threshold()[1:] == before[1:], "
             "gc.get_freeze_count() > 10000)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True).stdout
    assert out.split() == ["700", "True", "True", "True"]
