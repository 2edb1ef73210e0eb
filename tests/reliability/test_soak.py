"""Soak: mixed load on a served twin (`cloudtwin serve`, a subprocess) for a bounded time; memory
and latency stay flat.

Deselected by default (`-m "not soak"` in pyproject's addopts). Run on demand:

    python -m pytest -m soak -s                       # 10 minutes
    CLOUDTWIN_SOAK_SECONDS=180 python -m pytest -m soak -s

Load: workers doing steady churn on all three providers (churn.py: create, read, change, list,
delete, a fresh Rackspace login per job), while the virtual clock moves an hour every half
second, so lifecycles finish, tokens expire and finished tasks age out. Sampled every 2 s: the
RSS of the server (master and worker); per request: its latency.

After the warm-up (the first fifth, and at least until the journal ring of 10,000 entries is full):
- RSS: the mean of the last third of the samples is at most CLOUDTWIN_SOAK_MAX_GROWTH (10 %) above
  the mean of the first third;
- latency: p50 per window (twelve windows); the median of the last third's p50s is at most
  CLOUDTWIN_SOAK_MAX_SLOWDOWN (1.5x) the median of the first third's, plus 2 ms (a median of
  windows, so one window slowed by something else on the machine does not decide);
- no 5xx and no transport error.
"""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from served_process import TwinProcess

from .churn import Churner

SECONDS = float(os.environ.get("CLOUDTWIN_SOAK_SECONDS", "600"))
MAX_GROWTH = float(os.environ.get("CLOUDTWIN_SOAK_MAX_GROWTH", "0.10"))
MAX_SLOWDOWN = float(os.environ.get("CLOUDTWIN_SOAK_MAX_SLOWDOWN", "1.5"))
WORKERS = int(os.environ.get("CLOUDTWIN_SOAK_WORKERS", "6"))
JOURNAL_CAPACITY = 10_000

pytestmark = [pytest.mark.soak, pytest.mark.served]


def _tree_rss_kib(pid: int) -> int:
    """RSS of a process and all its descendants (gunicorn: the master and its worker)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[tuple[float, float]] = []  # (monotonic at end, seconds)
        self.failures: list[str] = []
        self.requests = 0


def test_soak_memory_and_latency_stay_flat() -> None:
    server = TwinProcess("--seed", "51", "--threads", "16", providers=(), capture=False)  # all providers
    try:
        figures = _soak(server.base, server.pid)
        print("\nsoak:", json.dumps(figures, indent=1))
    finally:
        server.stop()


def _soak(base: str, pid: int) -> dict[str, Any]:
    admin = requests.Session()
    freeze = admin.post(base + "/_twin/clock/freeze", json={}, timeout=10)
    assert freeze.status_code == 200
    for account in ("default", "other"):
        reply = admin.post(base + "/_twin/providers/barrack/actions/top_up",
                           json={"account": account, "amount": 10_000_000}, timeout=10)
        assert reply.status_code == 200
    record = Recorder()
    stop = threading.Event()

    def worker(index: int) -> None:
        session = requests.Session()

        def call(method: str, path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
            headers = dict(headers)
            data = None
            if body is not None:
                headers.setdefault("Content-Type", "application/json")
                data = json.dumps(body)
            began = time.monotonic()
            try:
                reply = session.request(method, base + path, headers=headers, data=data, timeout=30)
            except requests.RequestException as error:
                with record.lock:
                    record.failures.append(f"{method} {path}: {error!r}")
                return 599, None
            ended = time.monotonic()
            with record.lock:
                record.requests += 1
                record.latencies.append((ended, ended - began))
                if reply.status_code >= 500:
                    record.failures.append(f"{method} {path} -> {reply.status_code} {reply.text[:200]}")
            try:
                return reply.status_code, reply.json() if reply.content else None
            except ValueError:
                return reply.status_code, None

        churner = Churner(call, ("default", "other")[index % 2], index)
        while not stop.is_set():
            churner.cycle()

    def clock() -> None:
        while not stop.wait(0.5):
            reply = admin.post(base + "/_twin/clock/advance", json={"seconds": 3600}, timeout=30)
            if reply.status_code != 200:
                with record.lock:
                    record.failures.append(f"clock advance -> {reply.status_code}")

    samples: list[tuple[float, int]] = []
    journal_full_at: list[float] = []

    def sampler() -> None:
        monitor = requests.Session()
        while not stop.wait(2.0):
            samples.append((time.monotonic(), _tree_rss_kib(pid)))
            if not journal_full_at:
                seq = monitor.get(base + "/_twin/journal", params={"limit": 1}, timeout=30).json()["last_seq"]
                if seq >= JOURNAL_CAPACITY:
                    journal_full_at.append(time.monotonic())

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(WORKERS)]
    threads += [threading.Thread(target=clock, daemon=True), threading.Thread(target=sampler, daemon=True)]
    for thread in threads:
        thread.start()
    time.sleep(SECONDS)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    ended = time.monotonic()

    assert not record.failures, record.failures[:5]
    assert journal_full_at, "the run was too short to fill the journal ring: raise CLOUDTWIN_SOAK_SECONDS"
    warm = max(started + SECONDS / 5, journal_full_at[0] + 5)
    steady = [(t, rss) for t, rss in samples if t >= warm]
    assert len(steady) >= 9, "too few samples after warm-up: raise CLOUDTWIN_SOAK_SECONDS"
    third = len(steady) // 3
    first_rss = statistics.mean(r for _, r in steady[:third])
    last_rss = statistics.mean(r for _, r in steady[-third:])

    windows = 12
    span = (ended - warm) / windows
    p50s = []
    for w in range(windows):
        lo, hi = warm + w * span, warm + (w + 1) * span
        window = [lat for t, lat in record.latencies if lo <= t < hi]
        p50s.append(statistics.median(window) if window else float("nan"))
    head, tail = p50s[: windows // 3], p50s[-(windows // 3):]
    reference = statistics.median(head)
    figures = {
        "seconds": round(ended - started, 1), "workers": WORKERS, "requests": record.requests,
        "requests_per_second": round(record.requests / (ended - started), 1),
        "warm_up_seconds": round(warm - started, 1),
        "rss_first_third_mib": round(first_rss / 1024, 1), "rss_last_third_mib": round(last_rss / 1024, 1),
        "rss_growth_percent": round((last_rss / first_rss - 1) * 100, 2),
        "rss_peak_mib": round(max(r for _, r in samples) / 1024, 1),
        "p50_ms_per_window": [round(p * 1000, 2) for p in p50s],
        "p50_ms_first_third": round(reference * 1000, 2), "p50_ms_last_third": round(statistics.median(tail) * 1000, 2),
        "p99_ms_overall": round(sorted(lat for _, lat in record.latencies)[int(0.99 * len(record.latencies))] * 1000, 2),
    }
    out = os.environ.get("CLOUDTWIN_SOAK_REPORT")
    if out:
        Path(out).write_text(json.dumps(figures, indent=1))
    assert last_rss <= first_rss * (1 + MAX_GROWTH), figures
    assert statistics.median(tail) <= reference * MAX_SLOWDOWN + 0.002, figures
    return figures
