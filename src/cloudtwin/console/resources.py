"""`cloudtwin resources [PROVIDER [KIND [ID]]]`: what a running twin holds, a page at a time."""

from __future__ import annotations

import argparse
import json
from typing import Any, Iterator

from .client import ConsoleError, TwinClient
from ..flag_types import positive_int
from .common import common_options, print_json, runs, wants_json
from .tables import short_time, table


def resources(args: argparse.Namespace, client: TwinClient) -> int:
    if args.id:
        if not args.kind:
            raise ConsoleError("an id needs its PROVIDER and KIND before it")
        return _resource(args, client)
    query = {"provider": args.provider, "kind": args.kind, "account": args.account, "state": args.state,
             "q": args.search, "limit": args.limit, "cursor": args.cursor}
    pages = list(_pages(client, query, every=args.all))
    if args.provider and not pages[0]["items"]:  # a typo'd provider would otherwise read as "none yet"
        served = client.get("/health")["providers"]
        if args.provider not in served:
            raise ConsoleError(f"the twin serves no provider {args.provider!r} (it serves {', '.join(served)})")
    items = [item for page in pages for item in page["items"]]
    last = pages[-1]
    if wants_json(args):
        print_json({"items": items, "next": last.get("next"), "total": last.get("total")})
        return 0
    if not items:
        print("no resources" + (" match" if any(query[k] for k in ("provider", "kind", "account", "state", "q"))
                                else ""))
        return 0
    print(table(("PROVIDER", "KIND", "ID", "NAME", "STATE", "REGION", "ACCOUNT", "CREATED"),
                ((r.get("provider"), r.get("kind"), r.get("id"), r.get("name"), r.get("state"), r.get("region"),
                  r.get("account"), short_time(r.get("created_at"))) for r in items)))
    if last.get("next"):
        print(f"\n{len(items)} of {last.get('total', '?')}; more with --all, or --cursor {last['next']}")
    return 0


def _pages(client: TwinClient, query: dict[str, Any], *, every: bool) -> Iterator[dict[str, Any]]:
    while True:
        page = client.get("/resources", query)
        yield page
        if not every or not page.get("next"):
            return
        query = {**query, "cursor": page["next"]}


def _resource(args: argparse.Namespace, client: TwinClient) -> int:
    from urllib.parse import quote

    path = "/resources/" + "/".join(quote(str(p), safe="") for p in (args.provider, args.kind, args.id))
    document = client.get(path)
    if wants_json(args):
        print_json(document)
        return 0
    resource = document.get("resource") or {}
    print(table(("PROVIDER", "KIND", "ID", "NAME", "STATE", "REGION", "ACCOUNT", "CREATED"),
                [(resource.get("provider"), resource.get("kind"), resource.get("id"), resource.get("name"),
                  resource.get("state"), resource.get("region"), resource.get("account"),
                  short_time(resource.get("created_at")))]))
    history = document.get("history") or []
    if history:
        print("\nhistory\n" + table(("AT", "STATE"), ((short_time(h.get("at")), h.get("state")) for h in history)))
    pending = document.get("pending") or []
    if pending:
        print("\npending\n" + table(("DUE", "EVENT"), ((short_time(p.get("at")), p.get("event")) for p in pending)))
    print("\nas the provider returns it\n" + json.dumps(document.get("body"), indent=2, ensure_ascii=False))
    return 0


def register(subparsers: Any) -> None:
    common = common_options()

    p = subparsers.add_parser("resources", parents=[common], help="list a running twin's resources (or show one)",
                              description="List resources across providers and accounts, a page at "
                                          "a time; with an ID, one resource: its state history, pending events and "
                                          "its JSON as the provider returns it.")
    p.add_argument("provider", nargs="?", help="only this provider (genesis, barrack, rackspace)")
    p.add_argument("kind", nargs="?", help="only this kind (instance, volume, image, …)")
    p.add_argument("id", nargs="?", help="show this resource")
    p.add_argument("--account", help="only this account")
    p.add_argument("--state", help="only resources in this state")
    p.add_argument("-q", "--search", help="text searched in ids and names")
    p.add_argument("--limit", type=positive_int, default=50, help="resources per page (default 50)")
    p.add_argument("--cursor", help="the page after this cursor (printed under a page)")
    p.add_argument("--all", action="store_true", help="every page")
    p.set_defaults(run=runs(resources))
