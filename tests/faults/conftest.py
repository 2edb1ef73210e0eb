"""A twin served by `cloudtwin serve` (gunicorn) in a subprocess: faults over a real socket."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from typing import Iterator

import pytest
import requests

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def live_twin() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cloudtwin", "serve", "--port", str(port), "--seed", "5", "--provider", "genesis"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/_twin/health", timeout=0.5).status_code == 200:
                break
        except requests.RequestException:  # not up yet, or too busy to answer yet
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("cloudtwin serve did not start: " + process.stdout.read().decode())  # type: ignore[union-attr]
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def live(live_twin: str) -> Iterator[str]:
    """The served twin, reset before each test."""
    requests.post(live_twin + "/_twin/reset", timeout=5).raise_for_status()
    yield live_twin
