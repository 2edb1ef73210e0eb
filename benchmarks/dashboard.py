"""The dashboard's pages with 100,000 resources in the twin: each must answer in under 100 ms.

A twin holds 100,000 Genesis instances (50 made through the API, the rest copied with fresh
ids as `figures.clone_rows` does) plus their 100,000 volumes, a 10,000-entry journal, the
history of the rows made through the API, and 100,000 pending lifecycle events. Each control-plane call a dashboard page makes is timed
through the WSGI app in-process (no socket: the figure is the twin's own cost), median of
`--repeat` calls after one warm-up call (which builds the listing's order index once).

    python benchmarks/dashboard.py            # 100,000 instances
    python benchmarks/dashboard.py --size 2000 --repeat 5   # a quick look
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("CLOUDTWIN_WORKING_SET", "4096")  # as `cloudtwin serve` runs

from figures import FIXTURES, clone_rows, genesis_fleet  # noqa: E402

from cloudtwin.harness.handle import TwinHandle  # noqa: E402

TARGET_MS = 100.0


def build(size: int) -> TwinHandle:
    handle = TwinHandle(["genesis", "rackspace"], seed=3, fixtures=FIXTURES)
    genesis_fleet(handle, 50)
    clone_rows(handle, "genesis", ["instance", "volume"], size)
    for _ in range(10_000):  # a full journal: the journal page filters what it holds
        handle.request("GET", "genesis", "/instances?per_page=1")
    # A full event queue: every instance due to move a day from now (copied rows schedule nothing).
    twin = handle.twin
    now = twin.clock.now()
    for n, row in enumerate(twin.store.table("genesis", "instance").rows()):
        twin.scheduler.at(now + 86_400 + n, "lifecycle", {
            "provider": "genesis", "kind": "instance", "id": row.id, "then": "active", "remove": False,
            "generation": row.meta_field("lifecycle_generation")})
    return handle


def pages(handle: TwinHandle) -> dict[str, Callable[[], Any]]:
    client = handle.client
    twin = handle.twin
    instances = twin.store.table("genesis", "instance")
    deep = instances.ordered("seq", key=lambda row: row.seq)[len(instances) // 2]
    some_id = deep.id

    def get(url: str) -> Callable[[], Any]:
        def call() -> Any:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:200])
            return response
        return call

    return {
        "UI shell (/_twin/ui/)": get("/_twin/ui/"),
        "Resources: first page (50), every provider": get("/_twin/resources?limit=50"),
        "Resources: a page half-way (cursor)": get(f"/_twin/resources?limit=50&cursor=genesis:instance:{deep.seq}"),
        "Resources: one account, one kind": get("/_twin/resources?provider=genesis&account=default&kind=instance&limit=50"),
        "Resource page (provider JSON, history, pending)": get(f"/_twin/resources/genesis/instance/{some_id}"),
        "Journal: latest 100": get("/_twin/journal?limit=100"),
        "Journal: poll since the last entry": get(f"/_twin/journal?since={twin.journal.last_seq}"),
        "History: latest 500 changes": get("/_twin/history?limit=500"),
        "Clock: next 20 due events": get("/_twin/events?limit=20"),
        "Faults": get("/_twin/faults"),
        "Accounts with client settings": get("/_twin/accounts/default/client-settings"),
        "Rate limits": get("/_twin/rate-limits"),
        "Resources: search by name (one bounded scan)": get("/_twin/resources?q=bench-7&limit=50"),
        "Resources: filter by state (one bounded scan)": get("/_twin/resources?kind=instance&state=active&limit=50"),
    }


def measure(calls: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    out = {}
    for name, call in calls.items():
        call()  # warm-up: first-use indexes
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            call()
            samples.append(time.perf_counter() - started)
        out[name] = statistics.median(samples) * 1000
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="Genesis instances in the twin")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    handle = build(args.size)
    total = handle.client.get("/_twin/resources?limit=1").get_json()["total"]
    print(f"built {total:,} resources in {time.perf_counter() - started:.0f} s; median of {args.repeat} calls each\n")
    results = measure(pages(handle), args.repeat)
    width = max(map(len, results))
    failed = False
    for name, ms in results.items():
        reference = "reference" in name
        verdict = "(reference)" if reference else ("met" if ms < TARGET_MS else "MISSED")
        failed |= not reference and ms >= TARGET_MS
        print(f"{name:<{width}} | {ms:8.2f} ms | < {TARGET_MS:.0f} ms | {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
