"""`cloudtwin replay PATH…`: run scenario files against a fresh in-process twin or any endpoint."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from . import commands
from .report import junit, text
from .runner import Runner, ScenarioResult, build_twin_target
from .scenario import ScenarioError, discover, load
from .targets import HttpTarget


def replay(args: argparse.Namespace) -> int:
    paths = discover([Path(p) for p in args.paths])
    try:
        scenarios = [load(path) for path in paths]  # every file is checked before anything runs
    except ScenarioError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    results: list[ScenarioResult] = []
    for scenario in scenarios:
        if args.base_url:
            target: Any = HttpTarget(args.base_url, args.token, args.auth_header)
        else:
            target = build_twin_target(scenario)
        result = Runner(scenario, target, skip_twin_steps=args.skip_twin_steps).run()
        target.close()
        results.append(result)
        print(text(result), flush=True)
    passed = sum(r.passed for r in results)
    print(f"\n{passed} passed, {len(results) - passed} failed")
    if args.junit:
        junit(results, Path(args.junit))
    return 0 if passed == len(results) else 1


def register(commands_parser: Any) -> None:
    p = commands_parser.add_parser(
        "replay", help="replay failure scenarios (YAML) against a twin or a real endpoint",
        description="Run scenario files or folders. Default: a fresh in-process twin per scenario. "
                    "With --base-url and --token: any endpoint, a real provider included.")
    p.add_argument("paths", nargs="+", help="scenario files or folders")
    p.add_argument("--base-url", help="the API base URL of a real endpoint (instead of an in-process twin)")
    p.add_argument("--token", help="the credential to send to --base-url")
    p.add_argument("--auth-header", default="Authorization: Bearer {token}",
                   help="how the token is sent (default 'Authorization: Bearer {token}')")
    p.add_argument("--skip-twin-steps", action="store_true",
                   help="against a real endpoint, skip clock/fault/journal steps instead of refusing the scenario")
    p.add_argument("--junit", help="write a JUnit XML report here")
    p.set_defaults(run=replay)


commands.REGISTER.append(register)
