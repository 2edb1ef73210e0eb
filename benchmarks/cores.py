"""One process or several? The figures behind the design choice in benchmarks/README.md.

    python benchmarks/cores.py            # ~1 min on 2 cores

1. *The ceiling*: what a second process could give at all on this machine. The bare-Flask
   baseline (stateless: nothing to share) with 1 and with 2 gunicorn workers, same threads and
   keep-alive, the same load as `run.py`'s list figure, alternating rounds. A twin whose
   processes share state can at best match the stateless gain.
2. *The price of sharing*: what a shared engine adds per request. The twin's own in-process cost
   of a get, a 50-item list and a create, against the same operations on an SQLite database
   in WAL mode (the embedded engine `serve` could start with nothing else to install): a row
   read by id and decoded, 50 rows read in creation order and decoded, and a create that must
   draw the next id from the seeded stream and append a journal entry in one write
   transaction (what keeps ids and the journal one consistent sequence across processes).
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from loadgen import combined, measure  # noqa: E402

from cloudtwin.harness.handle import TwinHandle  # noqa: E402

ROUNDS = 4
TOTAL = 4000
GENESIS = "/genesis/compute/v1"


def load_average() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def micro(operation: Callable[[], Any], repeat: int = 2000) -> float:
    """Median of 5 batches, µs per call."""
    operation()
    batches = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(repeat // 5):
            operation()
        batches.append((time.perf_counter() - started) / (repeat // 5) * 1e6)
    return statistics.median(batches)


def twin_costs() -> tuple[dict[str, float], list[dict[str, Any]]]:
    handle = TwinHandle(["genesis"], seed=1, fixtures=HERE / "fixtures")
    made = [handle.request("POST", "genesis", "/volumes", json={"name": f"v{i}", "size": 1,
                                                               "region": "NORD-NO-KRS-1"}).get_json()["volume"]
            for i in range(200)]
    headers = handle.headers("genesis")
    client = handle.client
    one = made[100]["id"]
    counter = iter(range(10**9))
    costs = {
        "get": micro(lambda: client.get(f"{GENESIS}/volumes/{one}", headers=headers)),
        "list 50": micro(lambda: client.get(f"{GENESIS}/volumes?per_page=50", headers=headers), 1000),
        "create": micro(lambda: client.post(f"{GENESIS}/volumes", headers=headers, json={
            "name": f"c{next(counter)}", "size": 1, "region": "NORD-NO-KRS-1"}), 500),
    }
    return costs, made


def sqlite_costs(rows: list[dict[str, Any]]) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="cloudtwin-cores-"))
    db = sqlite3.connect(folder / "state.db", isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE rows (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, account TEXT, data TEXT)")
    db.execute("CREATE TABLE streams (name TEXT PRIMARY KEY, state INTEGER)")
    db.execute("CREATE TABLE journal (seq INTEGER PRIMARY KEY, entry TEXT)")
    db.execute("INSERT INTO streams VALUES ('volumes', 0)")
    for row in rows:
        db.execute("INSERT INTO rows (id, account, data) VALUES (?, 'default', ?)", (row["id"], json.dumps(row)))
    one = rows[100]["id"]
    template = rows[0]
    counter = iter(range(10**9))

    def get() -> Any:
        return json.loads(db.execute("SELECT data FROM rows WHERE id = ?", (one,)).fetchone()[0])

    def list50() -> Any:
        return [json.loads(d) for (d,) in db.execute(
            "SELECT data FROM rows WHERE account = 'default' ORDER BY seq LIMIT 50")]

    def create() -> None:
        n = next(counter)
        db.execute("BEGIN IMMEDIATE")  # one writer at a time: the id stream and journal stay one sequence
        state = db.execute("SELECT state FROM streams WHERE name = 'volumes'").fetchone()[0]
        db.execute("UPDATE streams SET state = ? WHERE name = 'volumes'", (state + 1,))
        db.execute("INSERT INTO rows (id, account, data) VALUES (?, 'default', ?)",
                   (f"new-{n}", json.dumps({**template, "id": f"new-{n}", "name": f"c{n}"})))
        db.execute("INSERT INTO journal (entry) VALUES (?)", (json.dumps({"operation": "createVolume", "n": n}),))
        db.execute("COMMIT")

    db.execute("INSERT INTO streams VALUES ('limits', 0)")
    db.execute("INSERT INTO streams VALUES ('faults', 0)")
    costs = {"get": micro(get), "list 50": micro(list50, 1000), "create": micro(create, 500)}
    db.close()
    for processes in (1, 2, 1, 2):
        costs[f"journaled reads/s, {processes} process(es)"] = max(
            costs.get(f"journaled reads/s, {processes} process(es)", 0.0), contention(folder / "state.db", processes))
    return costs


def _journaled_reads(path: str, count: int, start: Any, out: Any) -> None:
    """What one GET costs in shared state: its row read plus the writes every request makes
    (journal entry, rate-limit tokens, fault-rule counters), in one write transaction."""
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("PRAGMA synchronous=NORMAL")
    start.wait()
    began = time.perf_counter()
    for n in range(count):
        db.execute("BEGIN IMMEDIATE")
        json.loads(db.execute("SELECT data FROM rows WHERE seq = ?", (1 + n % 200,)).fetchone()[0])
        db.execute("UPDATE streams SET state = state + 1 WHERE name = 'limits'")
        db.execute("UPDATE streams SET state = state + 1 WHERE name = 'faults'")
        db.execute("INSERT INTO journal (entry) VALUES (?)", (json.dumps({"operation": "getVolume", "n": n}),))
        db.execute("COMMIT")
    out.put(time.perf_counter() - began)


def contention(path: Path, processes: int, count: int = 3000) -> float:
    """Journaled reads per second with `processes` processes sharing the database."""
    import multiprocessing

    start, out = multiprocessing.Event(), multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_journaled_reads, args=(str(path), count // processes, start, out))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    start.set()
    took = max(out.get() for _ in workers)
    for worker in workers:
        worker.join()
    return count / took


def ceiling() -> dict[int, dict[str, Any]]:
    """Bare Flask (stateless) with 1 and 2 workers, alternating rounds."""
    folder = Path(tempfile.mkdtemp(prefix="cloudtwin-cores-"))
    handle = TwinHandle(["genesis"], seed=1, fixtures=HERE / "fixtures")
    for i in range(50):
        handle.request("POST", "genesis", "/volumes", json={"name": f"v{i}", "size": 1, "region": "NORD-NO-KRS-1"})
    body = handle.request("GET", "genesis", "/volumes?per_page=50").get_json()
    bodies = folder / "bodies.json"
    bodies.write_text(json.dumps({f"GET {GENESIS}/volumes": body}))
    from run import Server, free_port  # noqa: PLC0415 (run.py's helpers; importing it is cheap)

    servers: dict[int, tuple[Any, str]] = {}
    for workers in (1, 2):
        port = free_port()
        servers[workers] = (Server([sys.executable, str(HERE / "baseline_app.py"), "--port", str(port), "--bodies",
                                    str(bodies), "--workers", str(workers)], f"http://127.0.0.1:{port}/ping"),
                            f"http://127.0.0.1:{port}")
    spec = {"requests": [("GET", f"{GENESIS}/volumes?per_page=50", None)], "headers": {}}
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    try:
        for r in range(ROUNDS):
            for workers in ((1, 2) if r % 2 == 0 else (2, 1)):
                runs[workers].append(measure({**spec, "base": servers[workers][1]}, total=TOTAL // ROUNDS))
    finally:
        for server, _ in servers.values():
            server.stop()
    return {w: combined(v) for w, v in runs.items()}


def main() -> int:
    print(f"cores: {os.cpu_count()} CPUs, {load_average()}", flush=True)
    limit = ceiling()
    one, two = limit[1], limit[2]
    print(f"bare Flask, 50-item list: 1 worker {one['rps']:.0f} req/s (p50 {one['p50_ms']:.1f} ms), "
          f"2 workers {two['rps']:.0f} req/s (p50 {two['p50_ms']:.1f} ms): x{two['rps'] / one['rps']:.2f}; "
          f"errors {one['errors'] + two['errors']}; {load_average()}", flush=True)
    twin, rows = twin_costs()
    shared = sqlite_costs(rows)
    print(f"per operation, µs ({load_average()}):")
    print(f"{'operation':10} | {'twin in-process (whole request)':>32} | {'SQLite WAL (data only)':>23}")
    for name in twin:
        print(f"{name:10} | {twin[name]:32.0f} | {shared[name]:23.0f}")
    for name, value in shared.items():
        if name.startswith("journaled"):
            print(f"SQLite {name} (each: row read + journal, limit and fault writes): {value:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
