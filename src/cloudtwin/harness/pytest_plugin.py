"""pytest fixtures for code that talks to cloudtwin; installing cloudtwin registers them.

    def test_my_deployer(cloudtwin_server):
        client = MyGenesisClient(cloudtwin_server.base_url("genesis"), cloudtwin_server.token("genesis"))
        instance = client.create_instance(...)
        cloudtwin_server.advance("2m")
        assert client.get_instance(instance.id).status == "active"

Options: `--cloudtwin-seed`, `--cloudtwin-provider` (repeatable), `--cloudtwin-fixtures DIR`;
per test: `@pytest.mark.cloudtwin(providers=[...], seed=..., fixtures=..., overrides={...}, freeze=True)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from .handle import ServedTwin, TwinHandle


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cloudtwin")
    group.addoption("--cloudtwin-seed", default="0", help="seed of the cloudtwin fixtures (default 0)")
    group.addoption("--cloudtwin-provider", action="append", default=None,
                    help="providers the cloudtwin fixtures serve (default: all)")
    group.addoption("--cloudtwin-fixtures", default=None, help="a fixtures folder merged over the built-in one")
    group.addoption("--cloudtwin-coverage", action="store_true", default=False,
                    help="report operation x fault kind: exercised and survived, exercised and failed, never exercised")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--cloudtwin-coverage", default=False):
        from .fault_coverage import FaultCoverage
        config.pluginmanager.register(FaultCoverage(), "cloudtwin-fault-coverage")
    config.addinivalue_line(
        "markers", "cloudtwin(providers=None, seed=None, fixtures=None, overrides=None, freeze=True): "
                   "how the cloudtwin fixtures build the twin for this test")


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    config = request.config
    seed: Any = config.getoption("--cloudtwin-seed")
    options: dict[str, Any] = {
        "providers": config.getoption("--cloudtwin-provider"),
        "seed": int(seed) if str(seed).lstrip("-").isdigit() else seed,
        "fixtures": Path(config.getoption("--cloudtwin-fixtures")) if config.getoption("--cloudtwin-fixtures") else None,
        "overrides": None,
        "freeze": True,
    }
    marker = request.node.get_closest_marker("cloudtwin")
    if marker is not None:
        options.update({k: v for k, v in marker.kwargs.items() if v is not None or k == "overrides"})
    return options


@pytest.fixture
def cloudtwin(request: pytest.FixtureRequest) -> Iterator[TwinHandle]:
    """A fresh in-process twin for this test (frozen clock unless the marker says otherwise):
    a new copy of the state this process built once for the same options, so the fixture costs
    a copy, not a build. Nothing a test changes reaches the next one."""
    options = _options(request)
    with TwinHandle.prebuilt(options.pop("providers"), **options) as handle:
        yield handle


@pytest.fixture
def cloudtwin_server(request: pytest.FixtureRequest) -> Iterator[ServedTwin]:
    """A fresh twin served on a free loopback port: `.base_url(provider)`, `.token(provider)`."""
    options = _options(request)
    served = ServedTwin(options.pop("providers"), **options)
    try:
        yield served
    finally:
        served.close()


# The client's time is the twin's ------------------------------------------------------------
@pytest.fixture
def cloudtwin_clock(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Tie the test's clock to the twin's (`cloudtwin_server` if the test uses it, else `cloudtwin`):
    `time.time`, `time.monotonic`, `datetime.now` read virtual time; `time.sleep` advances it."""
    from .virtual_time import virtual_time

    name = "cloudtwin_server" if "cloudtwin_server" in request.fixturenames else "cloudtwin"
    with virtual_time(request.getfixturevalue(name)) as clock:
        yield clock
