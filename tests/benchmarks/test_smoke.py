"""The benchmark must never rot: its smoke version runs in CI and prints every figure.

No timing is asserted (CI machines are shared and noisy); only that the run completes, every
figure is present, and no benchmarked request failed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FIGURES = [
    "serve: first answer, all providers",
    "in-process twin for a pytest fixture",
    *(f"{load}: {what}" for load in (
        "Genesis instance list (50 items)", "Genesis single get", "Genesis create (volume)",
        "Barrack instance details", "Rackspace image list (filter + marker)", "Genesis mixed (8 reads : 2 writes)",
    ) for what in ("req/s vs baseline", "req/s vs raw WSGI", "p50 / p99")),
    "Peer: Prism 5 mock, Genesis instance list",
    "Genesis instance list: twin vs Prism req/s",
    "scale: Genesis page 1", "scale: Genesis deep page", "scale: Rackspace page 1",
    "scale: Rackspace marker page (filter)",
    "memory: RSS with",
    "clock: 30 days across", "clock: balance in one jump = hour by hour",
]


def test_the_smoke_benchmark_prints_every_figure_without_request_errors(tmp_path: Path) -> None:
    rows_file = tmp_path / "rows.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--json", str(rows_file)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rows = json.loads(rows_file.read_text())
    names = [row["figure"] for row in rows]
    for figure in FIGURES:
        assert any(name.startswith(figure) for name in names), f"missing figure {figure!r} in {names}"
    for row in rows:
        assert row["value"], row
        assert row["verdict"] in ("met", "MISSED", "n/a"), row
        if "errors" in row["note"]:
            assert re.match(r"errors 0\b", row["note"]), row  # every benchmarked request succeeded
        if "raw WSGI:" in row["note"]:
            assert "raw WSGI: errors 0," in row["note"], row
    assert "figure" in done.stdout and "| target" in done.stdout  # the table is printed
