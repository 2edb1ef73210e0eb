"""Quick in-process figures for the engine's fault path and state swap, in CPU time.

    python benchmarks/engine_paths.py

Measures whichever cloudtwin is imported; to compare with an older commit, export it
(`git archive <commit> | tar -x -C /tmp/base`) and run again with `PYTHONPATH=/tmp/base/src`,
alternating the two. CPU time of this process (not wall time) and the fastest of several
batches, so that other jobs on a shared machine disturb the figures least.
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable

from cloudtwin.app import build_twin, create_app

TOKEN = "gc-default-0000000000000000000000"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
BASE = "/genesis/compute/v1"
VOLUMES = 2000


def per_request_us(client: Any, path: str, n: int = 500, batches: int = 7) -> float:
    for _ in range(100):
        client.get(path, headers=HEADERS)
    best = float("inf")
    for _ in range(batches):
        started = time.process_time()
        for _ in range(n):
            client.get(path, headers=HEADERS)
        best = min(best, (time.process_time() - started) / n * 1e6)
    return best


def best_ms(fn: Callable[[], Any], runs: int = 7) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        fn()
        best = min(best, (time.process_time() - started) * 1000)
    return best


def main() -> None:
    twin = build_twin(["genesis"], seed=1)
    twin.clock.freeze()
    client = create_app(twin).test_client()
    body = {"name": "v", "size": 1, "region": "NORD-NO-KRS-1"}
    volume = client.post(BASE + "/volumes", headers=HEADERS, json=body).get_json()["volume"]
    path = f"{BASE}/volumes/{volume['id']}"
    plain = per_request_us(client, path)
    # A rule that fires on every call and changes nothing: the cost of deciding and applying a fault.
    client.post("/_twin/faults", json={"match": {"operation": "getVolume"}, "action": {"type": "latency", "ms": 0}})
    fired = per_request_us(client, path)
    client.delete("/_twin/faults")
    for i in range(VOLUMES):
        client.post(BASE + "/volumes", headers=HEADERS, json={**body, "name": f"v{i}"})
    document = twin.export_state()
    print(json.dumps({
        "get (us)": round(plain), "get, a fault rule firing (us)": round(fired),
        f"export, {VOLUMES} volumes (ms)": round(best_ms(twin.export_state), 1),
        f"import, {VOLUMES} volumes (ms)": round(best_ms(lambda: twin.import_state(document)), 1),
        "reset (ms)": round(best_ms(twin.reset), 2),
    }))


if __name__ == "__main__":
    main()
