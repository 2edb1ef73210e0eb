"""A load generator in its own processes: N keep-alive connections, a fixed number of requests.

Run as `python loadgen.py URL-SPEC.json`; prints one JSON line with requests/s, p50 and p99.
Each worker process runs a few threads, each with one persistent HTTP/1.1 connection.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import sys
import threading
import time
from typing import Any
from urllib.parse import urlparse


def _worker(spec: dict[str, Any], threads: int, per_thread: int, queue: Any, ready: Any, go: Any) -> None:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def run(index: int) -> None:
        target = urlparse(spec["base"])
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        requests_ = spec["requests"]
        mine: list[float] = []
        failed = 0
        go.wait()
        for i in range(per_thread):
            method, path, body = requests_[(index * per_thread + i) % len(requests_)]
            payload = json.dumps(body).encode() if body is not None else None
            headers = dict(spec.get("headers", {}))
            if payload is not None:
                headers["Content-Type"] = "application/json"
            started = time.perf_counter()
            try:
                connection.request(method, path, body=payload, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:  # every benchmarked request is meant to succeed
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    ready.put(True)
    for thread in pool:
        thread.join()
    queue.put((latencies, errors[0], time.time()))


def measure(spec: dict[str, Any], *, connections: int = 16, total: int = 4000, processes: int = 4) -> dict[str, float]:
    threads = max(1, connections // processes)
    per_thread = max(1, total // (processes * threads))
    context = multiprocessing.get_context("spawn")
    queue: Any = context.Queue()
    ready: Any = context.Queue()
    go: Any = context.Event()
    workers = [context.Process(target=_worker, args=(spec, threads, per_thread, queue, ready, go))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    # A spawned worker imports its parent's main module first (a second or more when that is
    # run.py): the clock starts once every worker is ready, not at a guessed instant, or a
    # late worker would count its start-up as serving time.
    for _ in workers:
        ready.get()
    start_at = time.time()
    go.set()
    results = [queue.get() for _ in workers]
    for worker in workers:
        worker.join()
    latencies = sorted(l for part, _, _ in results for l in part)
    errors = sum(e for _, e, _ in results)
    wall = max(end for _, _, end in results) - start_at
    return summary(latencies, errors, wall)


def summary(latencies: list[float], errors: int, wall: float) -> dict[str, Any]:
    """req/s, p50 and p99 of one or more runs (latencies sorted, wall the sum of their walls)."""
    count = len(latencies)
    return {
        "requests": count,
        "errors": errors,
        "wall": wall,
        "latencies": latencies,
        "rps": count / wall if wall > 0 else 0.0,
        "p50_ms": latencies[count // 2] * 1000 if count else 0.0,
        "p99_ms": latencies[min(count - 1, int(count * 0.99))] * 1000 if count else 0.0,
    }


def combined(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several runs of one load as one: requests over the summed wall time, merged latencies."""
    latencies = sorted(latency for run in runs for latency in run["latencies"])
    return summary(latencies, sum(run["errors"] for run in runs), sum(run["wall"] for run in runs))


if __name__ == "__main__":
    print(json.dumps({k: v for k, v in measure(json.loads(open(sys.argv[1]).read())).items() if k != "latencies"}))
