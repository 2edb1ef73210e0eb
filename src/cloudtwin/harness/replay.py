"""`cloudtwin replay PATH…`: run scenario files against a fresh in-process twin or any endpoint."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .commands import UsageError
from .report import junit, text
from .runner import Runner, ScenarioResult, build_twin_target
from .scenario import ScenarioError, discover, load
from .targets import HttpTarget


def replay(args: argparse.Namespace) -> int:
    try:
        scenarios = [load(path) for path in discover([Path(p) for p in args.paths])]  # all checked first
    except ScenarioError as error:
        raise UsageError(str(error)) from None
    if args.junit:
        _check_writable(Path(args.junit))
    if args.html:
        _check_writable(Path(args.html), "--html", "report.html")
    results: list[ScenarioResult] = []
    timelines: list[dict[str, Any]] = []
    for scenario in scenarios:
        if args.base_url:
            target: Any = HttpTarget(args.base_url, args.token, args.auth_header)
        else:
            target = build_twin_target(scenario)
        if args.html:
            from .timeline import baseline, capture
            before = baseline(target)
        result = Runner(scenario, target, skip_twin_steps=args.skip_twin_steps).run()
        target.close()
        results.append(result)
        if args.html:  # now, while this scenario's twin still holds its journal and history
            timelines.append(capture(result, target, before))
        print(text(result), flush=True)
    passed = sum(r.passed for r in results)
    print(f"\n{passed} passed, {len(results) - passed} failed")
    if args.junit:
        try:
            junit(results, Path(args.junit))
        except OSError as error:
            raise UsageError(f"--junit {args.junit}: cannot write the report ({error.strerror or error})") from None
    if args.html:
        from .html_report import write_html
        try:
            write_html(timelines, Path(args.html))
        except OSError as error:
            raise UsageError(f"--html {args.html}: cannot write the report ({error.strerror or error})") from None
        print(f"replay report: {args.html}")
    return 0 if passed == len(results) else 1


def _check_writable(path: Path, flag: str = "--junit", example: str = "report.xml") -> None:
    """Before anything runs: a report that cannot be written is a mistake in the command."""
    if path.is_dir():
        raise UsageError(f"{flag} {path}: is a folder; name a file, e.g. {path / example}")
    if not path.parent.is_dir():
        raise UsageError(f"{flag} {path}: the folder {path.parent} does not exist")


def _base_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(f"{value!r} is not an http:// or https:// URL")
    return value


def _auth_header(value: str) -> str:
    name, colon, template = value.partition(":")
    if not colon or not name.strip() or "{token}" not in template:
        raise argparse.ArgumentTypeError(f"{value!r} is not 'Header-Name: ...{{token}}...'")
    return value


def register(commands_parser: Any) -> None:
    p = commands_parser.add_parser(
        "replay", help="replay failure scenarios (YAML) against a twin or a real endpoint",
        description="Run scenario files or folders. Default: a fresh in-process twin per scenario. "
                    "With --base-url and --token: any endpoint, a real provider included.")
    p.add_argument("paths", nargs="+", help="scenario files or folders")
    p.add_argument("--base-url", type=_base_url, help="the API base URL of a real endpoint (instead of an in-process twin)")
    p.add_argument("--token", help="the credential to send to --base-url")
    p.add_argument("--auth-header", type=_auth_header, default="Authorization: Bearer {token}",
                   help="how the token is sent (default 'Authorization: Bearer {token}')")
    p.add_argument("--skip-twin-steps", action="store_true",
                   help="against a real endpoint, skip clock/fault/journal steps instead of refusing the scenario")
    p.add_argument("--junit", help="write a JUnit XML report here")
    p.add_argument("--html", metavar="FILE", help="write a replay report here: one self-contained HTML file with a "
                   "timeline per scenario (resource states, requests, faults, clock moves, the failed step)")
    p.set_defaults(run=replay)


