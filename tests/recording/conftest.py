"""One stand-in for "the real provider", shared by every test here: starting a server costs seconds."""

from __future__ import annotations

import pytest

from .proxyprocess import stand_in


@pytest.fixture(scope="session")
def real(tmp_path_factory):
    process = stand_in(tmp_path_factory.mktemp("real"))
    try:
        yield process
    finally:
        process.stop()
