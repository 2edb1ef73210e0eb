"""`cloudtwin journal [--follow]`: a running twin's requests as a table."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from .client import TwinClient
from ..flag_types import natural, positive_int
from .common import common_options, http_status, poll_seconds, print_json, runs, wants_json
from .tables import describe_fault, short_time, table

ADMIN_PROVIDER = "_twin"  # the control plane journals its own calls under this name
JOURNAL_MAX = 10_000  # the control plane's largest page of journal entries
JOURNAL_HEADERS = ("SEQ", "VIRTUAL TIME", "PROVIDER", "ACCOUNT", "OPERATION", "STATUS", "FAULT", "MS")


def journal(args: argparse.Namespace, client: TwinClient) -> int:
    query = {"provider": args.provider, "account": args.account, "operation": args.operation,
             "status": args.status, "method": args.method, "fault": True if args.fault else None,
             "unmatched": True if args.unmatched else None}
    shown = _journal_filter(args)
    # Ask for more than `limit`: the control plane's own calls are dropped here, after the page is cut.
    first = client.get("/journal", {**query, "since": args.since,
                                    "limit": min(JOURNAL_MAX, args.limit if not shown.dropping else args.limit * 4 + 200)})
    entries = [e for e in first["entries"] if shown(e)][-args.limit:]
    as_json = wants_json(args)
    if not args.follow:
        if as_json:
            print_json({"last_seq": first["last_seq"], "entries": entries})
        elif entries:
            print(_journal_table(entries))
        else:
            print("no journal entries" + (" match" if any(v is not None for v in query.values()) else ""))
        return 0
    since = int(first["last_seq"])
    _emit(entries, as_json, header=True)  # the header now, even with no rows yet: the columns are fixed
    while True:  # Ctrl-C ends it
        time.sleep(args.interval)
        page = client.get("/journal", {**query, "since": since, "limit": JOURNAL_MAX})
        since = max([since, int(page["last_seq"])] + [int(e["seq"]) for e in page["entries"]])
        fresh = [e for e in page["entries"] if shown(e)]
        if fresh:
            _emit(fresh, as_json, header=False)


class _JournalFilter:
    """Hides the control plane's own calls (this very command polls it) unless asked for them."""

    def __init__(self, hide_admin: bool) -> None:
        self.dropping = hide_admin

    def __call__(self, entry: dict[str, Any]) -> bool:
        return not (self.dropping and entry.get("provider") == ADMIN_PROVIDER)


def _journal_filter(args: argparse.Namespace) -> _JournalFilter:
    return _JournalFilter(hide_admin=not args.control_plane and args.provider is None)


def _emit(entries: list[dict[str, Any]], as_json: bool, *, header: bool) -> None:
    if as_json:  # one entry per line, as they come: easy to pipe into jq
        for entry in entries:
            print(json.dumps(entry, ensure_ascii=False), flush=True)
        return
    if not entries and not header:
        return
    text = _journal_table(entries, fixed=True)
    lines = text.splitlines()
    print("\n".join(lines if header else lines[1:]), flush=True)


FOLLOW_WIDTHS = (6, 19, 10, 12, 28, 6, 28, 8)  # a live table cannot measure rows still to come


def _journal_table(entries: list[dict[str, Any]], *, fixed: bool = False) -> str:
    rows = [_journal_row(e) for e in entries]
    if not fixed:
        return table(JOURNAL_HEADERS, rows)
    lines = ["  ".join(h.ljust(w) for h, w in zip(JOURNAL_HEADERS, FOLLOW_WIDTHS)).rstrip()]
    for row in rows:
        cells = ["-" if v in (None, "") else str(v) for v in row]
        cells = [c if len(c) <= w else c[: w - 1] + "…" for c, w in zip(cells, FOLLOW_WIDTHS)]
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, FOLLOW_WIDTHS)).rstrip())
    return "\n".join(lines)


def _journal_row(entry: dict[str, Any]) -> tuple[Any, ...]:
    if entry.get("event") == "lifecycle_fault":
        fault = entry.get("fault") or {}
        resource = fault.get("resource") or {}
        operation = f"lifecycle {resource.get('kind')} {resource.get('id')} {fault.get('state')}"
        return (entry.get("seq"), short_time(entry.get("at")), entry.get("provider"), entry.get("account"), operation,
                None, describe_fault(fault), None)
    operation = entry.get("operation") or f"{entry.get('method')} {entry.get('path')}"
    duration = entry.get("duration_ms")
    return (entry.get("seq"), short_time(entry.get("at")), entry.get("provider"), entry.get("account"), operation,
            entry.get("status"), describe_fault(entry.get("fault")),
            None if duration is None else f"{float(duration):.1f}")


def register(subparsers: Any) -> None:
    common = common_options()

    p = subparsers.add_parser("journal", parents=[common], help="a running twin's requests, as a table (or --follow)",
                              description="Requests the twin answered: virtual time, provider, account, operation, "
                                          "status, the fault rule that fired (and its draw), duration. The control "
                                          "plane's own calls are left out unless --control-plane or --provider _twin.")
    p.add_argument("--provider", help="only this provider")
    p.add_argument("--account", help="only this account")
    p.add_argument("--operation", help="only this operation (an operationId, e.g. createInstance)")
    p.add_argument("--status", type=http_status, help="only answers with this HTTP status")
    p.add_argument("--method", type=str.upper, help="only this HTTP method")
    p.add_argument("--fault", action="store_true", help="only requests a fault rule answered")
    p.add_argument("--unmatched", action="store_true", help="only requests no route or method took")
    p.add_argument("--since", type=natural, help="only entries after this sequence number")
    p.add_argument("--limit", type=positive_int, default=50, help="the newest N entries (default 50)")
    p.add_argument("--control-plane", action="store_true", help="include calls to /_twin")
    p.add_argument("-f", "--follow", action="store_true", help="keep printing entries as they come (Ctrl-C stops)")
    p.add_argument("--interval", type=poll_seconds, default=0.5, help="with --follow, seconds between polls (default 0.5)")
    p.set_defaults(run=runs(journal))
