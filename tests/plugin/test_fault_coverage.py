"""`pytest --cloudtwin-coverage` on a small user project: operation x fault kind in the summary."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).parent / "coverage_project"


def run(*flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "--cloudtwin-provider", "barrack",
                           *flags, str(PROJECT)], cwd=PROJECT, capture_output=True, text=True, timeout=180)


def test_the_summary_says_what_was_survived_failed_and_never_tried() -> None:
    result = run("--cloudtwin-coverage")
    assert "1 failed, 1 passed" in result.stdout, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "cloudtwin fault coverage" in line)
    summary = lines[start:]
    rows = {tuple(line.split()[:3]): line.split()[3:5] for line in summary if line.startswith("barrack ")}
    assert rows[("barrack", "createSshKey", "reset")] == ["1", "0"]
    assert rows[("barrack", "listSshKeys", "error")] == ["0", "1"]
    never = next(line for line in summary if line.strip().startswith("barrack createSshKey:"))
    assert "rate_limit" in never and "reset" not in never.split(":", 1)[1]

