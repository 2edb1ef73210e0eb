"""`cloudtwin serve` as a newcomer runs it: banner, Ctrl-C, --state-file, the admin token."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests

TOKEN = "gc-default-0000000000000000000000"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    def __init__(self, *args: str) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cloudtwin", "serve", "--port", str(self.port), "--provider", "genesis", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                requests.get(self.base + "/_twin/health", timeout=0.5)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.process.kill()
        raise RuntimeError(self.process.communicate()[0])

    def interrupt(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGINT)
        output, _ = self.process.communicate(timeout=20)
        return self.process.returncode, output


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
    port = _free_port()
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
