"""Where a request's time goes: cProfile over many in-process requests, per pipeline step.

    python benchmarks/request_profile.py [--requests 3000] [--top 0]

Requests go straight to the WSGI app (environs are built before profiling), so the table is
the twin's own cost: the WSGI edge (the fast path's match, reading the environ, emitting the
response; Flask's request context before the fast path), then each pipeline step. cProfile
slows everything alike; read the shares, not the microseconds.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from figures import FIXTURES, GENESIS, genesis_fleet  # noqa: E402

from cloudtwin.harness.handle import TwinHandle  # noqa: E402

# step -> (file fragment, function name) whose cumulative time is the step's cost
STEPS: dict[str, list[tuple[str, str]]] = {
    "routing (werkzeug match)": [("werkzeug/routing/map.py", "match")],
    "auth": [("providers/genesis/__init__.py", "authenticate"), ("providers/genesis/auth.py", "authenticate")],
    "faults + rate limit": [("engine/pipeline.py", "_rate_limit"), ("engine/faults/rules.py", "decide"),
                            ("engine/pipeline.py", "_note_early_retry")],
    "validation": [("engine/validation.py", "validate")],
    "lock + drain": [("engine/twin.py", "drain")],
    "handler": [("handlers/instances.py", "list_instances"), ("handlers/instances.py", "get_instance"),
                ("handlers/volumes.py", "create_volume")],
    "render (json + Response)": [("engine/pipeline.py", "_render")],
    "journal (record + previews)": [("engine/journal.py", "record"), ("engine/journal.py", "preview")],
}


def run(requests: int, top: int, *, stdlib_json: bool = False) -> str:
    if stdlib_json:  # the render step as it was before orjson
        from cloudtwin.engine import pipeline
        pipeline.orjson = None  # type: ignore[assignment]
    handle = TwinHandle(["genesis"], seed=2, fixtures=FIXTURES)
    genesis_fleet(handle, 60)
    headers = handle.headers("genesis")
    first = handle.client.get(f"{GENESIS}/instances?per_page=50", headers=headers).json["instances"][0]["id"]
    mix = [("GET", f"{GENESIS}/instances?per_page=50", None), ("GET", f"{GENESIS}/instances/{first}", None),
           ("POST", f"{GENESIS}/volumes", {"name": "p", "size": 10, "region": "NORD-NO-KRS-1"})]
    environs = [EnvironBuilder(path=p.split("?")[0], query_string=p.partition("?")[2], method=m, headers=headers,
                               json=b).get_environ() for m, p, b in (mix[i % 3] for i in range(requests))]
    app = handle.app

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        assert status[0] in "23", status

    def drive() -> None:
        for environ in environs:
            for _ in app(environ, start_response):
                pass

    profiler = cProfile.Profile()
    profiler.runcall(drive)
    stats = pstats.Stats(profiler)
    by_function: dict[tuple[str, str], float] = {}
    total = 0.0
    for (filename, _, name), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        by_function[(filename, name)] = by_function.get((filename, name), 0.0) + cumulative
        if name == "drive":
            total = cumulative

    def cost(targets: list[tuple[str, str]]) -> float:
        return sum(t for (filename, name), t in by_function.items()
                   if any(filename.endswith(fragment) and name == fn for fragment, fn in targets))

    pipeline = cost([("engine/pipeline.py", "handle")])
    lines = [f"{requests} requests (list 50 / get / create volume, in turn), cProfile on"
             + (", stdlib json" if stdlib_json else ""), "",
             "| step | µs per request | share |", "|---|---:|---:|"]
    steps = {name: cost(targets) for name, targets in STEPS.items()}
    accounted = sum(v for k, v in steps.items() if k != "routing (werkzeug match)")
    rows = [("WSGI edge (fast path, Incoming, response out)", total - pipeline - steps["routing (werkzeug match)"]),
            *steps.items(), ("pipeline glue (RequestInfo, entry, headers)", pipeline - accounted)]
    for name, seconds in rows:
        lines.append(f"| {name} | {seconds / requests * 1e6:.0f} | {seconds / total * 100:.0f}% |")
    lines.append(f"| **total** | {total / requests * 1e6:.0f} | 100% |")
    if top:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
        lines += ["", out.getvalue()]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--top", type=int, default=0, help="also print the N functions with most own time")
    parser.add_argument("--stdlib-json", action="store_true", help="render with json.dumps (before orjson)")
    args = parser.parse_args()
    print(run(args.requests, args.top, stdlib_json=args.stdlib_json))
    return 0


if __name__ == "__main__":
    sys.exit(main())
