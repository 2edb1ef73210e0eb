"""Start building the installed copy as soon as the session knows it will need it, so that the
minute of package downloads runs alongside the rest of the suite; `installed` waits for it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import pytest
from build_installed import Build

HERE = Path(__file__).parent
REPO = HERE.parents[1]
_build: "Build | None" = None


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    global _build
    if config.option.collectonly:
        return
    if _build is None and any(HERE in Path(item.path).parents for item in items):
        work = Path(tempfile.mkdtemp(prefix="cloudtwin-wheel-"))
        log = work / "build.log"
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, str(HERE / "build_installed.py"), str(REPO), str(work)],
                                       stdout=out, stderr=subprocess.STDOUT)
        _build = Build(work, process, log)


@pytest.fixture(scope="session")
def installed() -> Iterator[Build]:
    assert _build is not None, "the build starts after collection (pytest_collection_modifyitems)"
    _build.wait()
    yield _build
    shutil.rmtree(_build.work, ignore_errors=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    """A session that ended before waiting (-x, Ctrl-C) leaves no build running behind it."""
    if _build is not None:
        if _build.process.poll() is None:
            _build.process.terminate()
            _build.process.wait(timeout=30)
        shutil.rmtree(_build.work, ignore_errors=True)
