"""`cloudtwin clock [advance 2h|freeze|unfreeze|set T]`: a running twin's virtual clock."""

from __future__ import annotations

import argparse
from typing import Any

from .client import ConsoleError, TwinClient
from .common import common_options, describe_event, optional, print_json, runs, wants_json
from .tables import short_time


def clock(args: argparse.Namespace, client: TwinClient) -> int:
    action, value = args.action or "show", args.value
    if action in ("advance", "set") and value is None:
        raise ConsoleError(f"clock {action} needs a value, e.g. " +
                           ("`cloudtwin clock advance 2h`" if action == "advance"
                            else "`cloudtwin clock set 2030-01-01T00:00:00Z`"))
    if action in ("show", "unfreeze") and value is not None:
        raise ConsoleError(f"clock {action} takes no value (got {value!r})")
    if action == "show":
        document = client.get("/clock")
    elif action == "advance":
        body: dict[str, Any] = {"seconds": float(value)} if _is_number(value) else {"duration": value}
        document = client.post("/clock/advance", body)
    elif action == "freeze":
        document = client.post("/clock/freeze", {"at": value} if value else None)
    elif action == "unfreeze":
        document = client.post("/clock/unfreeze")
    else:
        document = client.post("/clock/set", {"now": value})
    events = optional(lambda: client.get("/events", {"limit": 5})["events"]) if action == "show" else None
    if wants_json(args):
        print_json({**document, **({"next_events": events} if events is not None else {})})
        return 0
    line = f"{short_time(document['now'])} UTC, {'frozen' if document['frozen'] else 'running'}"
    if "applied_events" in document:
        line += f"; {document['applied_events']} due events applied"
    print(line)
    for event in events or []:
        print("  next: " + describe_event(event))
    return 0


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def register(subparsers: Any) -> None:
    common = common_options()

    p = subparsers.add_parser("clock", parents=[common], help="a running twin's virtual clock: show or move it",
                              description="Show the virtual clock and the next due events, or move it: "
                                          "`advance 2h` (or seconds), `freeze [INSTANT]`, `unfreeze`, "
                                          "`set 2030-01-01T00:00:00Z`. Every due event applies, in order.")
    p.add_argument("action", nargs="?", choices=("show", "advance", "freeze", "unfreeze", "set"), help="default: show")
    p.add_argument("value", nargs="?", help="a duration (90s, 2h, 30d) for advance; an ISO-8601 instant for set/freeze")
    p.set_defaults(run=runs(clock))
