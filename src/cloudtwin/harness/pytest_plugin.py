"""pytest fixtures for code that talks to cloudtwin; installing cloudtwin registers them.

    def test_my_deployer(cloudtwin_server):
        client = MyGenesisClient(cloudtwin_server.base_url("genesis"), cloudtwin_server.token("genesis"))
        instance = client.create_instance(...)
        cloudtwin_server.advance("2m")
        assert client.get_instance(instance.id).status == "active"

Options: `--cloudtwin-seed`, `--cloudtwin-provider` (repeatable), `--cloudtwin-fixtures DIR`;
per test: `@pytest.mark.cloudtwin(providers=[...], seed=..., fixtures=..., overrides={...}, freeze=True)`.

Scenario YAML files are test items too (one per scenario), found where the user says:
- the ini option `cloudtwin_scenarios` (folders, relative to the ini file): every *.yaml under
  them is a scenario, collected whenever pytest walks there (`pytest`, `pytest my-scenarios/`);
- `--cloudtwin-scenarios DIR` (repeatable): the same, and DIR is added to the run;
- a folder or file named on the command line (`pytest my-scenarios/`): its *.yaml files that
  are scenarios (a top-level `provider:` and `steps:`), so that works with no configuration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from ..engine.ids import seed_value
from .handle import ServedTwin, TwinHandle


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cloudtwin")
    group.addoption("--cloudtwin-seed", default="0", help="seed of the cloudtwin fixtures (default 0)")
    group.addoption("--cloudtwin-provider", action="append", default=None,
                    help="providers the cloudtwin fixtures serve (default: all)")
    group.addoption("--cloudtwin-fixtures", default=None, help="a fixtures folder merged over the built-in one")
    group.addoption("--cloudtwin-coverage", action="store_true", default=False,
                    help="report operation x fault kind: exercised and survived, exercised and failed, never exercised")
    group.addoption("--cloudtwin-html", default=None, metavar="FILE",
                    help="write a replay report of the collected scenarios here (one self-contained HTML file)")
    group.addoption("--cloudtwin-scenarios", action="append", default=[], metavar="DIR",
                    help="collect every scenario YAML under DIR (repeatable); DIR is added to the run")
    parser.addini("cloudtwin_scenarios", type="paths", default=[],
                  help="folders whose *.yaml files are cloudtwin scenarios (relative to the ini file)")


# The timelines of the scenarios run in this session, when --cloudtwin-html asks for a report.
HTML_TIMELINES = pytest.StashKey[list]()


def pytest_configure(config: pytest.Config) -> None:
    from .pytest_scenarios import ScenarioFolders

    _check_options(config)
    if config.getoption("--cloudtwin-html", None):
        config.stash[HTML_TIMELINES] = []
    folders = ScenarioFolders.from_config(config)
    config.stash[ScenarioFolders.KEY] = folders
    for folder in folders.from_flag:  # asked for by name: part of this run even if no path was given
        if str(folder) not in config.args:
            config.args.append(str(folder))
    if config.getoption("--cloudtwin-coverage", default=False):
        from .fault_coverage import FaultCoverage
        config.pluginmanager.register(FaultCoverage(), "cloudtwin-fault-coverage")
    config.addinivalue_line(
        "markers", "cloudtwin(providers=None, seed=None, fixtures=None, overrides=None, freeze=True): "
                   "how the cloudtwin fixtures build the twin for this test")


def _check_options(config: pytest.Config) -> None:
    """A mistake in an option is one line before any test runs, not an error in every test."""
    from ..providers import KNOWN

    for name in config.getoption("--cloudtwin-provider") or []:
        if name not in KNOWN:
            raise pytest.UsageError(f"--cloudtwin-provider {name}: not a provider (known: {', '.join(KNOWN)})")
    fixtures = config.getoption("--cloudtwin-fixtures")
    if fixtures and not Path(fixtures).is_dir():
        raise pytest.UsageError(f"--cloudtwin-fixtures {fixtures}: no such folder")
    for folder in config.getoption("--cloudtwin-scenarios") or []:
        if not (config.invocation_params.dir / folder).is_dir():
            raise pytest.UsageError(f"--cloudtwin-scenarios {folder}: no such folder")
    for folder in config.getini("cloudtwin_scenarios"):
        if not Path(folder).is_dir():
            raise pytest.UsageError(f"cloudtwin_scenarios = {folder} (ini option): no such folder")


def pytest_sessionfinish(session: pytest.Session) -> None:
    timelines = session.config.stash.get(HTML_TIMELINES, None)
    if timelines is None:
        return
    from .html_report import write_html

    path = Path(session.config.getoption("--cloudtwin-html"))
    write_html(timelines, path)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    timelines = config.stash.get(HTML_TIMELINES, None)
    if timelines is not None:
        terminalreporter.write_line(f"cloudtwin replay report: {config.getoption('--cloudtwin-html')} "
                                    f"({len(timelines)} scenarios)")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    from .pytest_scenarios import ScenarioFolders, collect

    folders = parent.config.stash.get(ScenarioFolders.KEY, None)
    if folders is not None and folders.holds_scenario(file_path):
        return collect(file_path, parent)
    return None


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    config = request.config
    seed: Any = config.getoption("--cloudtwin-seed")
    options: dict[str, Any] = {
        "providers": config.getoption("--cloudtwin-provider"),
        "seed": seed_value(seed),
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
