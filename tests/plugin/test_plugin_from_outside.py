"""The pytest plugin, from the outside: a separate pytest run of a small user project that
uses only the fixtures (found through the installed entry point, no conftest)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).parents[1] / "example_project"


def test_a_user_project_runs_on_the_fixtures_alone() -> None:
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "--cloudtwin-provider", "genesis", str(PROJECT)],
                            cwd=PROJECT, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
    assert not (PROJECT / "conftest.py").exists()
