"""Two builds of the twin served side by side, with raw WSGI as the ceiling: run.py's loads.

    python benchmarks/builds_served.py --base /tmp/old     # a checkout of the older build

Each build prepares its own state with its own code (the same seed and requests, so the same
shape of data), then `cloudtwin serve` of each build and the raw-WSGI baseline take every load
of `run.py` in three rounds whose order alternates (drift hits all alike). An export of an older
commit will do as the base: `git archive <commit> | tar -x -C /tmp/old`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import loadgen  # noqa: E402
import run  # noqa: E402

ROUNDS = 3


def prepare(root: Path) -> tuple[str, dict[str, Any]]:
    """The build's own state and ids: its run.prepare_state, run by its own code."""
    code = ("import sys, json; sys.path.insert(0, %r); import run; state, ctx = run.prepare_state(200); "
            "print(json.dumps([str(state), ctx]))") % str(root / "benchmarks")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(root / "src")}).stdout
    state, context = json.loads(out.strip().splitlines()[-1])
    return state, context


def serve(root: Path, state: str) -> tuple[run.Server, int]:
    port = run.free_port()
    command = ["env", f"PYTHONPATH={root / 'src'}", sys.executable, "-m", "cloudtwin", "serve", "--port", str(port),
               "--seed", "1", "--fixtures", str(run.FIXTURES), "--state-file", state]
    return run.Server(command, f"http://127.0.0.1:{port}/_twin/health"), port


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, required=True, help="a checkout or export of the other build")
    parser.add_argument("--requests", type=int, default=2000, help="requests per load, per round, per server")
    args = parser.parse_args()
    builds = {"this": HERE.parent, "base": args.base.resolve()}
    servers: dict[str, tuple[run.Server, int]] = {}
    loads: dict[str, dict[str, run.Load]] = {}
    try:
        state = ""
        for name, root in builds.items():
            state, context = prepare(root)
            servers[name] = serve(root, state)
            loads[name] = run.loads_of(context)
        bodies = Path(state).with_name("bodies.json")
        bodies.write_text(json.dumps(run.canned_bodies(f"http://127.0.0.1:{servers['this'][1]}", loads["this"])))
        raw_port = run.free_port()
        servers["raw"] = (run.Server([sys.executable, str(HERE / "baseline_app.py"), "--raw", "--port", str(raw_port),
                                      "--bodies", str(bodies)], f"http://127.0.0.1:{raw_port}/ping"), raw_port)
        loads["raw"] = loads["this"]
        print(f"{'load':40} | {'this':>6} | {'base':>6} | {'raw':>6} | this/base | this/raw | base/raw")
        for load in loads["this"]:
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in servers}
            order = list(servers)
            for round_ in range(ROUNDS):
                for name in order if round_ % 2 == 0 else order[::-1]:
                    requests_, headers = loads[name][load]
                    runs[name].append(loadgen.measure({"requests": requests_, "headers": headers,
                                                       "base": f"http://127.0.0.1:{servers[name][1]}"},
                                                      total=args.requests))
            rps = {name: loadgen.combined(each)["rps"] for name, each in runs.items()}
            print(f"{load:40} | {rps['this']:6.0f} | {rps['base']:6.0f} | {rps['raw']:6.0f} | "
                  f"{rps['this'] / rps['base']:9.2f} | {rps['this'] / rps['raw']:8.2f} | {rps['base'] / rps['raw']:8.2f}"
                  f"   {run.load_average()}", flush=True)
    finally:
        for server, _ in servers.values():
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
