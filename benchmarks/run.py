"""cloudtwin benchmarks: one command, one table, every figure a ratio measured side by side.

    python benchmarks/run.py            # the full run (a few minutes)
    python benchmarks/run.py --smoke    # small and fast: figures printed, nothing asserted (CI)

Load figures compare the twin with a bare Flask app returning bodies of the same size
from dicts, served by the same WSGI server and settings (the physical limit of this
stack), and with Stoplight Prism when `npx` can fetch it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import requests
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from figures import RACKSPACE, barrack_fleet, clock, memory, prism_command, rackspace_images, scale  # noqa: E402
from loadgen import combined, measure  # noqa: E402
import user_loop  # noqa: E402

from cloudtwin.harness.handle import TwinHandle  # noqa: E402

FIXTURES = HERE / "fixtures"
ROOT = HERE.parent
BARRACK = "/barrack/api/v1"
GENESIS_LIST = "Genesis instance list (50 items)"
GENESIS_TOKEN = "gc-default-0000000000000000000000"


@dataclass
class Row:
    figure: str
    value: str
    target: str
    verdict: str
    note: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)

    def add(self, figure: str, value: str, target: str, ok: bool | None, note: str = "") -> None:
        verdict = "n/a" if ok is None else ("met" if ok else "MISSED")
        self.rows.append(Row(figure, value, target, verdict, note))
        print(f"  {figure}: {value}  (target {target}: {verdict}) {note}", flush=True)

    def table(self) -> str:
        widths = [max(len(getattr(r, f)) for r in self.rows + [Row("figure", "value", "target", "verdict")])
                  for f in ("figure", "value", "target", "verdict")]
        head = ["figure", "value", "target", "verdict"]
        lines = [" | ".join(h.ljust(w) for h, w in zip(head, widths)), "-|-".join("-" * w for w in widths)]
        for r in self.rows:
            lines.append(" | ".join(v.ljust(w) for v, w in zip((r.figure, r.value, r.target, r.verdict), widths))
                         + (f"  {r.note}" if r.note else ""))
        return "\n".join(lines)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_ready(url: str, timeout: float = 30.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            requests.get(url, timeout=0.5)
            return time.perf_counter() - started
        except requests.RequestException:
            time.sleep(0.02)
    raise RuntimeError(f"{url} never answered")


class Server:
    """A server in a process group of its own: `npx` runs Prism as a child, which outlived a
    terminated `npx` and kept a core busy through the next runs."""

    def __init__(self, command: list[str], ready_url: str, timeout: float = 30.0) -> None:
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        try:
            self.ready_seconds = wait_ready(ready_url, timeout)
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        self._signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def _signal(self, number: int) -> None:
        try:
            os.killpg(self.process.pid, number)
        except ProcessLookupError:
            pass  # already gone, children and all


# Preparation: a state with the resources each load figure reads -----------------------
def prepare_state(instances: int) -> tuple[Path, dict[str, Any]]:
    handle = TwinHandle(seed=1, fixtures=FIXTURES, freeze=False)
    ids = []
    for i in range(instances):
        response = handle.request("POST", "genesis", "/instances", json={
            "name": f"bench-{i}", "hostname": f"bench-{i}", "type": "vcpu-2_memory-4g",
            "image": "ubuntu-22.04", "region": "NORD-NO-KRS-1"})
        assert response.status_code == 201, response.json
        ids.append(response.json["instance"]["id"])
    barrack_fleet(handle, 3)
    barrack_ids = [i["id"] for i in handle.request("GET", "barrack", "/instances/").json["instances"]]
    rackspace_images(handle, instances)
    handle.advance("5m")
    private = handle.client.get(f"{RACKSPACE}/images?visibility=private&limit=1000",
                                headers=handle.headers("rackspace")).json["images"]
    context = {"instance_ids": ids, "barrack_ids": barrack_ids, "image_marker": private[len(private) // 4]["id"],
               "headers": {p: handle.headers(p) for p in ("genesis", "barrack", "rackspace")}}
    state = Path(tempfile.mkdtemp(prefix="cloudtwin-bench-")) / "state.json"
    state.write_text(json.dumps(handle.export_state()))
    return state, context


Load = tuple[list[tuple[str, str, Any]], dict[str, str]]


def loads_of(context: dict[str, Any]) -> dict[str, Load]:
    """name -> (requests cycled through, headers)."""
    base = "/genesis/compute/v1"
    ids = context["instance_ids"]
    genesis, barrack, rackspace = (context["headers"][p] for p in ("genesis", "barrack", "rackspace"))
    volume = {"name": "bench-volume", "size": 10, "region": "NORD-NO-KRS-1"}
    marker = context["image_marker"]
    return {
        GENESIS_LIST: ([("GET", f"{base}/instances?per_page=50", None)], genesis),
        "Genesis single get": ([("GET", f"{base}/instances/{i}", None) for i in ids[:50]], genesis),
        "Genesis create (volume)": ([("POST", f"{base}/volumes", volume)], genesis),
        "Barrack instance details": ([("GET", f"{BARRACK}/instances/{i}/", None) for i in context["barrack_ids"]],
                                     barrack),
        "Rackspace image list (filter + marker)": (
            [("GET", f"{RACKSPACE}/images?visibility=private&limit=25&marker={marker}", None)], rackspace),
        "Genesis mixed (8 reads : 2 writes)": (
            [("GET", f"{base}/instances?per_page=50", None)] * 4 + [("GET", f"{base}/instances/{ids[0]}", None)] * 4
            + [("POST", f"{base}/volumes", volume), ("PATCH", f"{base}/instances/{ids[1]}", {"name": "renamed"})],
            genesis),
    }


def canned_bodies(twin_base: str, loads: dict[str, Load]) -> dict[str, Any]:
    """What the twin answers for each request: the baseline returns bodies of the same size."""
    bodies: dict[str, Any] = {}
    for requests_, headers in loads.values():
        for method, path, body in requests_:
            if method != "GET":
                continue
            answer = requests.get(twin_base + path, headers=headers, timeout=10)
            assert answer.status_code == 200, (path, answer.text[:300])
            bodies[f"GET {path.split('?')[0]}"] = answer.json()
    volume_answer = requests.post(twin_base + "/genesis/compute/v1/volumes", timeout=10,
                                  headers={"Authorization": f"Bearer {GENESIS_TOKEN}"},
                                  json={"name": "probe", "size": 1, "region": "NORD-NO-KRS-1"})
    bodies["POST *"] = volume_answer.json()
    bodies["PATCH *"] = {"instance": next(iter(v for k, v in bodies.items() if "/instances/" in k), {})}
    return bodies


def load_figures(report: Report, total: int, instances: int, *, smoke: bool) -> None:
    state, context = prepare_state(instances)
    twin_port, base_port, raw_port = free_port(), free_port(), free_port()
    twin = Server([sys.executable, "-m", "cloudtwin", "serve", "--port", str(twin_port), "--seed", "1",
                   "--fixtures", str(FIXTURES), "--state-file", str(state)], f"http://127.0.0.1:{twin_port}/_twin/health")
    loads = loads_of(context)
    bodies_file = state.with_name("bodies.json")
    bodies_file.write_text(json.dumps(canned_bodies(f"http://127.0.0.1:{twin_port}", loads)))
    baseline = Server([sys.executable, str(HERE / "baseline_app.py"), "--port", str(base_port), "--bodies",
                       str(bodies_file)], f"http://127.0.0.1:{base_port}/ping")
    raw = Server([sys.executable, str(HERE / "baseline_app.py"), "--raw", "--port", str(raw_port), "--bodies",
                  str(bodies_file)], f"http://127.0.0.1:{raw_port}/ping")
    try:
        for name, (requests_, headers) in loads.items():
            writes = any(m != "GET" for m, _, _ in requests_)
            spec = {"requests": requests_, "headers": headers}
            ours, bare, wsgi = side_by_side(spec, [f"http://127.0.0.1:{port}" for port in (twin_port, base_port,
                                                                                             raw_port)], total,
                                            rounds=1 if smoke else ROUNDS)
            ratio = ours["rps"] / bare["rps"] if bare["rps"] else 0.0
            versus_raw = ours["rps"] / wsgi["rps"] if wsgi["rps"] else 0.0
            raw_goal = 0.35 if writes else 0.5
            goal = 0.5 if writes else 0.75
            tail = ours["p99_ms"] / ours["p50_ms"] if ours["p50_ms"] else 0.0
            bare_tail = bare["p99_ms"] / bare["p50_ms"] if bare["p50_ms"] else 0.0
            report.add(f"{name}: req/s vs baseline", f"{ours['rps']:.0f} / {bare['rps']:.0f} = {ratio:.2f}",
                       f">= {goal}", ratio >= goal, f"errors {ours['errors']}")
            report.add(f"{name}: req/s vs raw WSGI", f"{ours['rps']:.0f} / {wsgi['rps']:.0f} = {versus_raw:.2f}",
                       f">= {raw_goal}", versus_raw >= raw_goal,
                       f"errors {ours['errors']}; raw WSGI: errors {wsgi['errors']}, p50 / p99 "
                       f"{wsgi['p50_ms']:.2f} / {wsgi['p99_ms']:.2f} ms; {load_average()}")
            report.add(f"{name}: p50 / p99", f"{ours['p50_ms']:.2f} / {ours['p99_ms']:.2f} ms (x{tail:.1f})",
                       "p99 < 4x p50", tail < 4,
                       f"baseline {bare['p50_ms']:.2f} / {bare['p99_ms']:.2f} ms (x{bare_tail:.1f})")
            if name == GENESIS_LIST:
                peer_figures(report, spec, total, ours, bare, smoke=smoke, folder=state.parent,
                             example=json.loads(bodies_file.read_text())["GET /genesis/compute/v1/instances"])
    finally:
        twin.stop()
        baseline.stop()
        raw.stop()
        shutil.rmtree(state.parent, ignore_errors=True)


ROUNDS = 3


def side_by_side(spec: dict[str, Any], bases: list[str], total: int, rounds: int = ROUNDS) -> list[dict[str, Any]]:
    """The twin and the baselines take turns, in rounds whose order alternates: a machine that
    slows down for a while (another job, a frequency change) slows all alike. One long run
    each, one after the other, let such drift move a ratio by 0.1-0.2 between runs."""
    runs: dict[str, list[dict[str, Any]]] = {base: [] for base in bases}
    for round_ in range(rounds):
        for base in bases if round_ % 2 == 0 else bases[::-1]:
            runs[base].append(measure({**spec, "base": base}, total=total // rounds))
    return [combined(runs[base]) for base in bases]


def load_average() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def spec_with_example(body: Any, folder: Path) -> Path:
    """spec/genesis.yaml gives listInstances no example, so Prism would invent a 1-item page:
    a copy whose 200 answer has the twin's own 50-item page as its example (JSON is YAML)."""
    document = yaml.load((ROOT / "spec" / "genesis.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    document["paths"]["/instances"]["get"]["responses"]["200"]["content"]["application/json"]["example"] = body
    copy = folder / "genesis-with-example.json"
    copy.write_text(json.dumps(document, default=str))
    return copy


def peer_figures(report: Report, spec: dict[str, Any], total: int, ours: dict[str, float],
                 bare: dict[str, float], *, smoke: bool, example: Any, folder: Path) -> None:
    """Stoplight Prism mocking spec/genesis.yaml (OpenAPI 3.1), the same list request, same load."""
    port = free_port()
    command = prism_command(port, spec_with_example(example, folder))
    figure = "Peer: Prism 5 mock, Genesis instance list"
    if smoke:  # CI stays offline and fast: no npm download
        report.add(f"{figure}: req/s vs baseline", "not run (--smoke)", "n/a", None)
        report.add("Genesis instance list: twin vs Prism req/s", "not run (--smoke)", ">= 1", None)
        return
    if command is None:
        report.add(f"{figure}: req/s vs baseline", "not run (no npx)", "n/a", None)
        report.add("Genesis instance list: twin vs Prism req/s", "not run (no npx)", ">= 1", None)
        return
    try:
        prism = Server(command, f"http://127.0.0.1:{port}/instances?per_page=50", timeout=240)
    except RuntimeError as error:
        report.add(f"{figure}: req/s vs baseline", f"not run ({error})", "n/a", None)
        report.add("Genesis instance list: twin vs Prism req/s", "not run (Prism did not start)", ">= 1", None)
        return
    try:
        probe = requests.get(f"http://127.0.0.1:{port}/instances?per_page=50", headers=spec["headers"], timeout=10)
        # Prism serves the spec at its root: the same requests without the twin's mount prefix.
        unmounted = [(m, p.removeprefix("/genesis/compute/v1"), b) for m, p, b in spec["requests"]]
        theirs = measure({**spec, "requests": unmounted, "base": f"http://127.0.0.1:{port}"}, total=total)
    finally:
        prism.stop()
    items = len(probe.json().get("instances", [])) if probe.ok else 0  # 50: the example served
    ratio = theirs["rps"] / bare["rps"] if bare["rps"] else 0.0
    report.add(f"{figure}: req/s vs baseline", f"{theirs['rps']:.0f} / {bare['rps']:.0f} = {ratio:.2f}", "n/a",
               None, f"errors {theirs['errors']}; serves the example: {items} items, {len(probe.content)} bytes; "
               f"status {probe.status_code}")
    versus = ours["rps"] / theirs["rps"] if theirs["rps"] else 0.0
    report.add("Genesis instance list: twin vs Prism req/s", f"{ours['rps']:.0f} / {theirs['rps']:.0f} = {versus:.2f}",
               ">= 1", versus >= 1, f"Prism p50 / p99 {theirs['p50_ms']:.2f} / {theirs['p99_ms']:.2f} ms")


def startup_figures(report: Report) -> None:
    port = free_port()
    started = time.perf_counter()
    server = Server([sys.executable, "-m", "cloudtwin", "serve", "--port", str(port)],
                    f"http://127.0.0.1:{port}/_twin/health")
    first = time.perf_counter() - started
    server.stop()
    report.add("serve: first answer, all providers", f"{first:.2f} s", "< 1.5 s", first < 1.5)
    TwinHandle(seed=0)  # the first twin in a process pays for parsing and compiling the specs
    started = time.perf_counter()
    TwinHandle(seed=1)
    ready = time.perf_counter() - started
    report.add("in-process twin for a pytest fixture", f"{ready * 1000:.0f} ms", "< 300 ms", ready < 0.3)


FIGURES: dict[str, Callable[..., None]] = {"scale": scale, "memory": memory, "clock": clock}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="small, fast run for CI: print, assert nothing")
    parser.add_argument("--json", type=Path, help="also write the rows to this file (for the CI smoke test)")
    parser.add_argument("--no-user-loop", action="store_true", help="skip the figures against 57a4d11")
    parser.add_argument("--no-contract", action="store_true", help="skip the contract runs against 57a4d11")
    args = parser.parse_args()
    total = 200 if args.smoke else 6000
    report = Report()
    print("cloudtwin benchmarks" + (" (smoke)" if args.smoke else ""), flush=True)
    startup_figures(report)
    load_figures(report, total=total, instances=60 if args.smoke else 100, smoke=args.smoke)
    for figure in FIGURES.values():
        figure(report, smoke=args.smoke)
    if not args.smoke and not args.no_user_loop:  # against another build: minutes, and not in CI
        user_loop.figures(report.add, contract=[] if args.no_contract else ["genesis", "barrack", "rackspace"])
    print("\n" + report.table())
    if args.json:
        args.json.write_text(json.dumps([vars(row) for row in report.rows], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
