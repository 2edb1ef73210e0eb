"""A twin served by `cloudtwin serve` (gunicorn) in a subprocess: faults over a real socket."""

from __future__ import annotations

from typing import Iterator

import pytest
import requests
from served_process import TwinProcess


@pytest.fixture(scope="session")
def live_twin() -> Iterator[str]:
    served = TwinProcess("--seed", "5", capture=False)
    yield served.base
    served.stop()


@pytest.fixture
def live(live_twin: str) -> Iterator[str]:
    """The served twin, reset before each test."""
    requests.post(live_twin + "/_twin/reset", timeout=5).raise_for_status()
    yield live_twin
