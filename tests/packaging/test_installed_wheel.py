"""The package as a user gets it: the wheel, installed with no extras into a fresh virtual
environment, run from a folder outside this checkout (so nothing is imported from src/)."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from build_installed import Build

REPO = Path(__file__).parents[2]
SCENARIO = REPO / "scenarios" / "genesis" / "rate-limit-storm.yaml"


def _tracked(*folders: str) -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z", *folders], cwd=REPO, capture_output=True, check=True)
    return list(filter(None, listed.stdout.decode().split("\0")))


def test_the_wheel_carries_every_file_the_package_reads(installed: Build) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    wanted = [f"cloudtwin/{name.removeprefix('src/cloudtwin/')}" for name in _tracked("src/cloudtwin")]
    wanted += [f"cloudtwin/data/{name}" for name in _tracked("spec", "fixtures")]
    missing = [name for name in wanted if name not in names]
    assert not missing, f"not in the wheel: {missing}"


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("user")
    (folder / "my-scenarios").mkdir()
    shutil.copy(SCENARIO, folder / "my-scenarios" / SCENARIO.name)
    return folder


def _run(installed: Build, cwd: Path, *command: str) -> subprocess.CompletedProcess[str]:
    executable = installed.venv / "bin" / command[0]
    result = subprocess.run([str(executable), *command[1:]], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_installed_without_extras_the_package_is_its_own(installed: Build, elsewhere: Path) -> None:
    where = _run(installed, elsewhere, "python", "-c", "import cloudtwin; print(cloudtwin.__file__)")
    assert where.stdout.startswith(str(installed.venv)), where.stdout
    extras = _run(installed, elsewhere, "python", "-c",
                  "import importlib.util as u; print([m for m in ('freezegun', 'glanceclient') if u.find_spec(m)])")
    assert extras.stdout.strip() == "[]"  # the test extras really are absent


@pytest.mark.parametrize("argv, expected", [
    (["--help"], "serve"),
    (["--version"], "cloudtwin 0.1.0"),
    (["contract", "--help"], "--base-url"),
    (["spec", "lint"], "ok   genesis.yaml"),
])
def test_every_command_runs_from_the_install(installed: Build, elsewhere: Path, argv: list[str],
                                             expected: str) -> None:
    result = _run(installed, elsewhere, "cloudtwin", *argv)
    assert result.returncode == 0, result.stdout + result.stderr
    assert expected in result.stdout


def test_replay_and_pytest_run_a_scenario_from_the_install(installed: Build, elsewhere: Path) -> None:
    replayed = _run(installed, elsewhere, "cloudtwin", "replay", f"my-scenarios/{SCENARIO.name}")
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "1 passed, 0 failed" in replayed.stdout
    collected = _run(installed, elsewhere, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "my-scenarios/")
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert "1 passed" in collected.stdout


def test_serve_from_the_install(installed: Build, elsewhere: Path) -> None:
    """The README's first command ends in `cloudtwin serve`: the installed twin answers."""
    import signal
    import time

    import requests

    process = subprocess.Popen([str(installed.venv / "bin" / "cloudtwin"), "serve", "--port", "0"], cwd=elsewhere,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("cloudtwin 0.1.0 serving on http://127.0.0.1:"), first
        base = first.split()[4]
        deadline = time.monotonic() + 60
        while True:
            try:
                health = requests.get(base + "/_twin/health", timeout=2).json()
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the installed twin did not answer"
                time.sleep(0.2)
        assert sorted(health["providers"]) == ["barrack", "genesis", "rackspace"]
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=60)[0]
    assert "Traceback" not in output, output
