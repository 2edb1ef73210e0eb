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


def _worker(spec: dict[str, Any], threads: int, per_thread: int, queue: Any, start_at: float) -> None:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def run(index: int) -> None:
        target = urlparse(spec["base"])
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        requests_ = spec["requests"]
        mine: list[float] = []
        failed = 0
        while time.time() < start_at:
            time.sleep(0.001)
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
    for thread in pool:
        thread.join()
    queue.put((latencies, errors[0], time.time()))


def measure(spec: dict[str, Any], *, connections: int = 16, total: int = 4000, processes: int = 4) -> dict[str, float]:
    threads = max(1, connections // processes)
    per_thread = max(1, total // (processes * threads))
    queue: Any = multiprocessing.get_context("spawn").Queue()
    start_at = time.time() + 1.0
    workers = [multiprocessing.get_context("spawn").Process(target=_worker, args=(spec, threads, per_thread, queue, start_at))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    results = [queue.get() for _ in workers]
    for worker in workers:
        worker.join()
    latencies = sorted(l for part, _, _ in results for l in part)
    errors = sum(e for _, e, _ in results)
    wall = max(end for _, _, end in results) - start_at
    count = len(latencies)
    return {
        "requests": count,
        "errors": errors,
        "rps": count / wall if wall > 0 else 0.0,
        "p50_ms": latencies[count // 2] * 1000 if count else 0.0,
        "p99_ms": latencies[min(count - 1, int(count * 0.99))] * 1000 if count else 0.0,
    }


if __name__ == "__main__":
    print(json.dumps(measure(json.loads(open(sys.argv[1]).read()))))
