"""Scenario YAML collected by the installed pytest plugin from folders outside this repository:
named on the command line, set in a user's ini file, or given with --cloudtwin-scenarios."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_SCENARIO = Path(__file__).parents[2] / "scenarios" / "genesis" / "rate-limit-storm.yaml"
NOT_A_SCENARIO = "# some other tool's settings\nretries: 3\nendpoints: [a, b]\n"


def _pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=180)


def _project(root: Path, folder: str) -> Path:
    scenarios = root / folder
    scenarios.mkdir(parents=True)
    (scenarios / "storm.yaml").write_text(REPO_SCENARIO.read_text())
    (scenarios / "tool-settings.yaml").write_text(NOT_A_SCENARIO)
    return scenarios


def test_a_folder_named_on_the_command_line_needs_no_configuration(tmp_path: Path) -> None:
    _project(tmp_path, "my-scenarios")
    result = _pytest(tmp_path, "my-scenarios/")
    assert result.returncode == 0, result.stdout + result.stderr
    # The scenario ran; the other YAML (no provider, no steps) was left alone, not an error.
    assert "1 passed in" in result.stdout and "error" not in result.stdout


def test_the_ini_option_and_the_flag_point_at_any_folder(tmp_path: Path) -> None:
    project = tmp_path / "project"
    scenarios = _project(project, "stories")
    (project / "pytest.ini").write_text("[pytest]\ncloudtwin_scenarios = stories\n")
    (scenarios / "broken.yaml").write_text("name: broken\nprovider: genesis\nsteps:\n  - nap: 5s\n")
    configured = _pytest(project, "--continue-on-collection-errors")
    # In a configured folder every *.yaml is a scenario: a broken one is an error with its line,
    # the settings file (no provider, no steps) too: nothing there is skipped in silence.
    assert "1 passed, 2 errors" in configured.stdout, configured.stdout + configured.stderr
    assert "broken.yaml:4: step 1: steps.0: Additional properties are not allowed ('nap'" in configured.stdout
    assert "tool-settings.yaml:2: scenario:" in configured.stdout
    assert configured.returncode == 1

    elsewhere = tmp_path / "shared" / "genesis"
    elsewhere.mkdir(parents=True)
    (elsewhere / "storm.yaml").write_text(REPO_SCENARIO.read_text())
    empty = tmp_path / "empty"
    empty.mkdir()
    flagged = _pytest(empty, "--cloudtwin-scenarios", str(elsewhere))
    assert flagged.returncode == 0, flagged.stdout + flagged.stderr
    assert "1 passed" in flagged.stdout  # the folder joined the run without being a path argument


def test_a_mistake_in_a_plugin_option_is_one_line(tmp_path: Path) -> None:
    for argv, message in [(["--cloudtwin-provider", "genesiss"], "--cloudtwin-provider genesiss: not a provider"),
                          (["--cloudtwin-fixtures", "nope"], "--cloudtwin-fixtures nope: no such folder"),
                          (["--cloudtwin-scenarios", "nope"], "--cloudtwin-scenarios nope: no such folder")]:
        result = _pytest(tmp_path, *argv)
        assert result.returncode == 4  # pytest's own status for a usage error
        assert f"ERROR: {message}" in result.stderr and "Traceback" not in result.stderr
