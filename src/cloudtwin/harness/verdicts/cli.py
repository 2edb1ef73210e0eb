"""`cloudtwin verdict`: judge how a client survived the faults, from a live twin or a saved journal."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from . import Options, judge
from .source import SourceError, from_file, from_replay, from_url


def verdict(args: argparse.Namespace) -> int:
    try:
        if args.journal:
            entries, windows = from_file(Path(args.journal)), {}
        elif args.replay:
            entries, windows = from_replay(Path(args.replay))
        else:
            entries, windows = from_url(args.url, args.admin_token)
        if args.time_scale <= 0:
            raise SourceError(f"--time-scale {args.time_scale}: must be above 0")
        options = Options(max_attempts=args.max_attempts, max_retry_seconds=args.max_retry_seconds,
                          time_scale=args.time_scale)
    except (SourceError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        report = judge(entries, options, windows=windows)
    except (TypeError, ValueError, KeyError, AttributeError) as error:  # an entry of the wrong shape
        source = f"--journal {args.journal}" if args.journal else f"--replay {args.replay}" if args.replay else f"--url {args.url}"
        print(f"error: {source}: an entry cannot be judged ({error.__class__.__name__}: {error})", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(report.render())
    failing = ("fail",) if args.fail_on == "fail" else ("fail", "warn")
    return 1 if report.outcome in failing else 0


def register(commands_parser: Any) -> None:
    p = commands_parser.add_parser(
        "verdict", help="judge how a client handled the faults (Retry-After, backoff, duplicates, cost, …)",
        description="Read a journal (a live twin's, a saved one, or a replayed scenario's) and give, per "
                    "account and operation, pass/warn/fail for each resilience rule with the journal entries "
                    "as evidence. Exit status 1 when a verdict fails.")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--url", default="http://127.0.0.1:8080", help="a served twin (default %(default)s)")
    source.add_argument("--journal", help="a saved journal: GET /_twin/journal's JSON, or its entries")
    source.add_argument("--replay", help="replay this scenario on an in-process twin, then judge its journal")
    p.add_argument("--admin-token", help="the twin's admin token, if it has one")
    p.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    p.add_argument("--max-attempts", type=int, default=Options.max_attempts,
                   help="more failed attempts in a row than this is unbounded (default %(default)s)")
    p.add_argument("--max-retry-seconds", type=float, default=Options.max_retry_seconds,
                   help="retrying for longer than this is unbounded (default %(default)s)")
    p.add_argument("--time-scale", type=float, default=1.0,
                   help="the client's waits were scaled by this factor (e.g. 0.001): judge them unscaled")
    p.add_argument("--fail-on", choices=("fail", "warn"), default="fail",
                   help="exit 1 on a failing verdict (default) or on a warning too")
    p.set_defaults(run=verdict)


