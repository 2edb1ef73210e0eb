"""The figures that are not load: scale, memory, the virtual clock, and the peer (Prism).

Each one measures side by side in one run and reports a ratio or an absolute bound with its
target; `run.py` registers them in its table.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

from cloudtwin.harness.handle import TwinHandle

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
GENESIS = "/genesis/compute/v1"
BARRACK = "/barrack/api/v1"
RACKSPACE = "/rackspace/images/DFW/v2"
REGION = "NORD-NO-KRS-1"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# Building big states fast ------------------------------------------------------------
def genesis_fleet(handle: TwinHandle, count: int) -> None:
    """`count` instances, each with one attached volume, made through the API (real rows)."""
    volumes = []
    for i in range(count):
        answer = handle.request("POST", "genesis", "/volumes", json={"name": f"v{i}", "size": 10, "region": REGION})
        assert answer.status_code == 201, answer.json
        volumes.append(answer.json["volume"]["id"])
    handle.advance("1m")
    for i, volume in enumerate(volumes):
        answer = handle.request("POST", "genesis", "/instances", json={
            "name": f"bench-{i}", "hostname": f"bench-{i}", "type": "vcpu-2_memory-4g", "image": "ubuntu-22.04",
            "region": REGION, "volumes": [volume]})
        assert answer.status_code == 201, answer.json
    handle.advance("5m")


def rackspace_images(handle: TwinHandle, count: int, account: str = "default") -> None:
    for i in range(count):
        handle.admin("POST", "/providers/rackspace/actions/create_snapshot_image",
                     {"account": account, "name": f"snap-{i}", "region": "DFW", "tags": ["nightly"] if i % 2 else []})
        if i % 10 == 9:
            handle.advance("1s")
    handle.advance("10m")


def _copy(value: Any, prefix: str, memo: dict[str, str]) -> Any:
    """A copy of a row's data as a create through the API would store it: the same key objects
    (handlers write literal keys); a string without digits (a status, an OS type, a fixed
    choice) shared, as the literal or fixture value it is; a string with digits (ids, names,
    addresses, stamps) a new object, one per copy, with every uuid given the copy's own prefix
    (so references between copied rows follow, sharing the id string as `ref()` does)."""
    if isinstance(value, dict):
        return {key: _copy(item, prefix, memo) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item, prefix, memo) for item in value]
    if isinstance(value, str) and any(c.isdigit() for c in value):
        fresh = memo.get(value)
        if fresh is None:
            text = _UUID.sub(lambda m: prefix + m.group()[8:], value)
            fresh = memo[value] = text if text != value else "".join(list(value))
        return fresh
    return value


def clone_rows(handle: TwinHandle, provider: str, kinds: list[str], total: int) -> None:
    """Grow each kind to `total` rows by copying the real rows with fresh ids. A benchmark
    shortcut: 100,000 creates through the API take minutes."""
    store = handle.twin.store
    tables = {kind: store.table(provider, kind) for kind in kinds}
    templates = {kind: list(table.rows()) for kind, table in tables.items()}
    have = min(len(rows) for rows in templates.values())
    copies = (total + have - 1) // have - 1
    for k in range(1, copies + 1):
        prefix = f"{k:08x}"
        memo: dict[str, str] = {}
        for kind, rows in templates.items():
            for row in rows:
                if len(tables[kind]) >= total:
                    break
                tables[kind].add(type(row)(_copy(row.id, prefix, memo), kind, row.account, store.next_seq(),
                                     _copy(row.data, prefix, memo), _copy(row.meta, prefix, memo)))
        store.settle()  # what serve does after every call; here after every few hundred rows


def timed(call: Callable[[], Any], repeat: int) -> float:
    """Median seconds of one call."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


# Scale: a page costs what the page costs ------------------------------------------------
def _scale_twin(size: int) -> tuple[TwinHandle, dict[str, Callable[[], Any]]]:
    handle = TwinHandle(["genesis", "rackspace"], seed=3, fixtures=FIXTURES)
    genesis_fleet(handle, 50)
    clone_rows(handle, "genesis", ["instance"], size)
    rackspace_images(handle, 50)
    images = handle.twin.store.table("rackspace", "image")
    clone_rows_of(handle, "rackspace", "image", "default", size - images.count("default"))
    genesis = handle.headers("genesis")
    rackspace = handle.headers("rackspace")
    last_page = size // 50
    listing = handle.client.get(f"{RACKSPACE}/images?limit=1000&visibility=private", headers=rackspace).json
    marker = listing["images"][-1]["id"]  # a marker 100 (small) or 1,000 (big) images deep
    calls = {
        "Genesis page 1": lambda: handle.client.get(f"{GENESIS}/instances?per_page=50&page=1", headers=genesis),
        "Genesis deep page": lambda: handle.client.get(f"{GENESIS}/instances?per_page=50&page={last_page}",
                                                       headers=genesis),
        "Rackspace page 1": lambda: handle.client.get(f"{RACKSPACE}/images?limit=25", headers=rackspace),
        "Rackspace marker page (filter)": lambda: handle.client.get(
            f"{RACKSPACE}/images?limit=25&visibility=private&marker={marker}", headers=rackspace),
    }
    for name, call in calls.items():
        answer = call()
        assert answer.status_code == 200 and answer.json, (name, answer.json)
    return handle, calls


def scale(report: Any, *, smoke: bool) -> None:
    """Both twins live side by side; samples alternate between them so drift hits both alike."""
    big = 2_000 if smoke else 100_000
    repeat = 30 if smoke else 100
    small_twin, small_calls = _scale_twin(100)
    big_twin, big_calls = _scale_twin(big)
    for name in small_calls:
        samples: dict[str, list[float]] = {"small": [], "big": []}
        for _ in range(repeat):
            for which, call in (("small", small_calls[name]), ("big", big_calls[name])):
                started = time.perf_counter()
                call()
                samples[which].append(time.perf_counter() - started)
        small, large = statistics.median(samples["small"]), statistics.median(samples["big"])
        ratio = large / small
        report.add(f"scale: {name}, {big:,} vs 100 rows", f"{large * 1000:.2f} / {small * 1000:.2f} ms = x{ratio:.2f}",
                   "<= x2", ratio <= 2)
    # Before the indexed fast path: the general path merges and sorts every visible image.
    from cloudtwin.providers.rackspace.handlers import listing
    listing.INDEXED_ORDER = False
    try:
        before = [timed(small_calls["Rackspace marker page (filter)"], 5),
                  timed(big_calls["Rackspace marker page (filter)"], 3)]
    finally:
        listing.INDEXED_ORDER = True
    report.add(f"scale: Rackspace marker page, general path (before), {big:,} vs 100 rows",
               f"{before[1] * 1000:.1f} / {before[0] * 1000:.2f} ms = x{before[1] / before[0]:.1f}", "(reference)", None)


def clone_rows_of(handle: TwinHandle, provider: str, kind: str, account: str, extra: int) -> None:
    table = handle.twin.store.table(provider, kind)
    templates = list(table.rows(account))
    store = handle.twin.store
    k = 0
    while extra > 0:
        k += 1
        prefix = f"{k:08x}"
        memo: dict[str, str] = {}
        for row in templates:
            if extra <= 0:
                break
            table.add(type(row)(_copy(row.id, prefix, memo), kind, row.account, store.next_seq(),
                          _copy(row.data, prefix, memo), _copy(row.meta, prefix, memo)))
            extra -= 1


# Memory: resident size of a big state, in a process of its own ---------------------------
_MEMORY_CHILD = """
import gc, json, sys
sys.path.insert(0, sys.argv[1])
from figures import FIXTURES, clone_rows, genesis_fleet
from cloudtwin.harness.handle import TwinHandle

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
handle = TwinHandle(["genesis", "barrack", "rackspace"], seed=4, fixtures=FIXTURES)
gc.collect()
empty = rss()
genesis_fleet(handle, 200)
clone_rows(handle, "genesis", ["instance", "volume"], int(sys.argv[2]))
gc.collect()
rows = len(handle.twin.store.table("genesis", "instance")), len(handle.twin.store.table("genesis", "volume"))
print(json.dumps({"empty_mb": empty, "full_mb": rss(), "rows": rows}))
"""


def memory(report: Any, *, smoke: bool) -> None:
    count = 5_000 if smoke else 100_000
    out = subprocess.run([sys.executable, "-c", _MEMORY_CHILD, str(HERE), str(count)], capture_output=True,
                         text=True, timeout=600, check=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    instances, volumes = figures["rows"]
    report.add(f"memory: RSS with {instances:,} instances + {volumes:,} volumes",
               f"{figures['full_mb']:.0f} MB (empty twin {figures['empty_mb']:.0f} MB)", "< 300 MB",
               figures["full_mb"] < 300)


# Clock: thirty virtual days in one jump equal hour by hour ----------------------------------
def barrack_fleet(handle: TwinHandle, instances: int) -> None:
    """`instances` instances with one new volume each (2 x instances resources), billed hourly."""
    key = handle.request("POST", "barrack", "/ssh-keys/", json={"name": "bench", "public_key": _ED25519})
    assert key.status_code == 201, key.json
    handle.action("barrack", "top_up", amount=1e9)
    for i in range(instances):
        answer = handle.request("POST", "barrack", "/instances/", json={
            "name": f"train-{i}", "region": "FINLAND-1", "gpu_model": "H100-SXM5-80GB", "gpu_count": 1,
            "boot_source": "os_image", "os_image_id": 101, "ssh_key_ids": [key.json["ssh_key"]["id"]],
            "volumes": [{"name": f"data-{i}", "size": 100, "volume_type": "NVMe"}]})
        assert answer.status_code == 201, answer.json


def _field(raw: bytes) -> bytes:
    return len(raw).to_bytes(4, "big") + raw


_ED25519 = "ssh-ed25519 " + base64.b64encode(_field(b"ssh-ed25519") + _field(bytes(range(32)))).decode() + " bench@host"


def clock(report: Any, *, smoke: bool) -> None:
    instances = 100 if smoke else 3_334  # an instance, its boot volume and one data volume: 10,002 resources
    handle = TwinHandle(["barrack"], seed=6, fixtures=FIXTURES)
    barrack_fleet(handle, instances)
    state = handle.export_state()
    resources = sum(len(rows) for kind, rows in state["store"]["tables"]["barrack"].items()
                    if kind in ("instance", "volume"))

    def balance(twin: TwinHandle) -> float:
        answer = twin.request("GET", "barrack", "/balance/")
        assert answer.status_code == 200, answer.json
        return float(answer.json["balance"]["amount"])

    jump = TwinHandle(["barrack"], seed=6, fixtures=FIXTURES)
    jump.import_state(state)
    started = time.perf_counter()
    jump.advance(30 * 86400)
    one_jump = balance(jump)
    seconds = time.perf_counter() - started
    steps = TwinHandle(["barrack"], seed=6, fixtures=FIXTURES)
    steps.import_state(state)
    for _ in range(30 * 24):
        steps.advance(3600)
        balance(steps)
    hourly = balance(steps)
    same = abs(one_jump - hourly) < 1e-6 * max(1.0, abs(hourly))
    report.add(f"clock: 30 days across {resources:,} Barrack resources", f"{seconds:.2f} s", "< 2 s", seconds < 2)
    report.add("clock: balance in one jump = hour by hour", f"{one_jump:.4f} vs {hourly:.4f}", "equal", same)


# Peer: Stoplight Prism serving the same spec ------------------------------------------------
def prism_command(port: int, spec: Path) -> list[str] | None:
    local = os.environ.get("CLOUDTWIN_PRISM") or shutil.which("prism")
    for candidate in (local, "/tmp/prismbench/node_modules/.bin/prism"):
        if candidate and Path(candidate).exists():
            return [candidate, "mock", "-p", str(port), str(spec)]
    npx = shutil.which("npx")
    return [npx, "--yes", "@stoplight/prism-cli@5", "mock", "-p", str(port), str(spec)] if npx else None
