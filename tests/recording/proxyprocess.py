"""`cloudtwin record` / `cloudtwin proxy` in a subprocess, in front of a stand-in twin."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

import requests
import yaml

from tests.served_process import TwinProcess, free_port

# The stand-in's lifecycles differ from the default fixtures on purpose (seconds, not minutes):
# the drift report must name them, and calibrate must learn them.
STAND_IN_LIFECYCLES = {
    "genesis": {"instance": {"creating": {"after": "1.5s", "then": "active"},
                             "deleting": {"after": "1s", "remove": True}}},
    "barrack": {"instance": {"CREATING": {"after": "1.5s", "then": "ACTIVE"},
                             "DELETING": {"after": "1s", "remove": True}}},
    "rackspace": {"task": {"pending": {"after": "1s", "then": "processing"},
                           "processing": {"after": "2s", "then": "success"}}},
}


def stand_in(tmp: Path, seed: int = 7) -> TwinProcess:
    """One served twin for all three providers, with another seed and its own lifecycle timings."""
    for provider, lifecycles in STAND_IN_LIFECYCLES.items():
        folder = tmp / "stand-in" / provider
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "lifecycles.yaml").write_text(yaml.safe_dump(lifecycles))
    return TwinProcess("--seed", str(seed), "--fixtures", str(tmp / "stand-in"), providers=tuple(STAND_IN_LIFECYCLES))


class ProxyProcess:
    def __init__(self, command: str, *args: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # Its own process group, as a shell job: Ctrl-C reaches the server and its worker, and
        # stopping it never leaves a worker behind holding the output pipe.
        self.process = subprocess.Popen([sys.executable, "-m", "cloudtwin", command, "--port", str(self.port), *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(self.base + "/_twin/health", timeout=2)
                return
            except requests.RequestException:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"cloudtwin {command} did not start: {self.output}")

    output = ""

    def stop_recording(self) -> dict:
        answer = requests.post(self.base + "/_record/stop", timeout=30).json()
        self.output, _ = self.process.communicate(timeout=30)
        return answer

    def interrupt(self, how: signal.Signals = signal.SIGINT) -> str:
        """Ctrl-C at a terminal (SIGINT to the whole job), or `kill PID` (SIGTERM to the server)."""
        if how == signal.SIGINT:
            os.killpg(self.process.pid, signal.SIGINT)
        else:
            self.process.send_signal(how)
        self.output, _ = self.process.communicate(timeout=30)
        return self.output

    def stop(self) -> None:
        for how in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, how)
            except ProcessLookupError:
                break  # the whole group is gone
            try:
                self.output, _ = self.process.communicate(timeout=20)
                break
            except subprocess.TimeoutExpired:
                continue


def files_of(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def leaked(folder: Path, secrets: Sequence[str]) -> list[tuple[str, str]]:
    return [(str(path), secret) for path in files_of(folder) for secret in secrets
            if secret in path.read_text(encoding="utf-8", errors="replace")]
