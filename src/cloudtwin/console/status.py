"""`cloudtwin status`: one screen about a running twin."""

from __future__ import annotations

import argparse
from typing import Any

from .client import TwinClient
from .common import common_options, describe_event, offset, optional, print_json, runs, wants_json
from .tables import short_time


def status(args: argparse.Namespace, client: TwinClient) -> int:
    health = client.get("/health")
    accounts = client.get("/accounts")["accounts"]
    faults = client.get("/faults")["faults"]
    journal = client.get("/journal", {"limit": 1})
    resources = optional(lambda: client.get("/resources", {"limit": 1})["total"])
    events = optional(lambda: client.get("/events", {"limit": 3})["events"]) or []
    summary = {
        "url": client.url, "version": health["version"], "seed": health["seed"], "providers": health["providers"],
        "clock": health["clock"], "accounts": len(accounts), "resources": resources,
        "faults": len(faults), "faults_fired": sum(int(f.get("fired", 0)) for f in faults),
        "journal_last_seq": journal["last_seq"], "next_events": events,
    }
    if wants_json(args):
        print_json(summary)
        return 0
    clock = health["clock"]
    rows = [
        ("twin", f"cloudtwin {health['version']} at {client.url} (seed {health['seed']})"),
        ("providers", ", ".join(health["providers"])),
        ("clock", f"{short_time(clock['now'])} UTC, {'frozen' if clock['frozen'] else 'running'}"
                  f" ({offset(clock['offset_seconds'])} from real time)"),
        ("accounts", ", ".join(a["id"] for a in accounts) or "none"),
        ("resources", "?" if resources is None else str(resources)),
        ("faults", f"{len(faults)} rules, fired {summary['faults_fired']} times"),
        ("journal", f"{journal['last_seq']} entries recorded"),
    ]
    for event in events[:3]:
        rows.append(("next event" if event is events[0] else "", describe_event(event)))
    width = max(len(label) for label, _ in rows)
    print("\n".join(f"{label:<{width}}  {value}" for label, value in rows))
    return 0


def register(subparsers: Any) -> None:
    common = common_options()

    p = subparsers.add_parser("status", parents=[common], help="what a running twin holds: clock, counts, next events",
                              description="One screen about a running twin: version, seed, providers, clock, "
                                          "accounts, resources, fault rules, journal, the next due events.")
    p.set_defaults(run=runs(status))
