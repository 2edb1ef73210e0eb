"""CLI verbs against a running twin: status, resources, journal, faults, clock, state.

Each verb is a few calls to the control plane (`/_twin`, see spec/twin-admin.yaml) and a
table, or with `--json` the control plane's own documents for scripts. Nothing here imports
the engine: these verbs work against a twin anywhere, and start fast.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterator

from ..harness import commands
from .client import DEFAULT_URL, TOKEN_ENV, URL_ENV, ConsoleError, MissingEndpoint, TwinClient
from .faults_input import fault_rules, add_fault_flags
from .tables import describe_action, describe_fault, describe_match, describe_schedule, short_time, table

ADMIN_PROVIDER = "_twin"  # the control plane journals its own calls under this name
JOURNAL_MAX = 10_000  # the control plane's largest page of journal entries
Verb = Callable[[argparse.Namespace, TwinClient], int]


def _client(args: argparse.Namespace) -> TwinClient:
    return TwinClient(getattr(args, "url", None), getattr(args, "admin_token", None))


def _wants_json(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "json", False))


def _print_json(document: Any) -> None:
    print(json.dumps(document, indent=2, ensure_ascii=False))


def _runs(verb: Verb) -> Callable[[argparse.Namespace], int]:
    """Every failure is one line on stderr and exit status 2; Ctrl-C ends a follow quietly."""

    def run(args: argparse.Namespace) -> int:
        try:
            return verb(args, _client(args))
        except ConsoleError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            return 0
        except BrokenPipeError:  # `cloudtwin journal | head`
            sys.stderr.close()
            return 0

    return run


# status ------------------------------------------------------------------------------
def status(args: argparse.Namespace, client: TwinClient) -> int:
    health = client.get("/health")
    accounts = client.get("/accounts")["accounts"]
    faults = client.get("/faults")["faults"]
    journal = client.get("/journal", {"limit": 1})
    resources = _optional(lambda: client.get("/resources", {"limit": 1})["total"])
    events = _optional(lambda: client.get("/events", {"limit": 3})["events"]) or []
    summary = {
        "url": client.url, "version": health["version"], "seed": health["seed"], "providers": health["providers"],
        "clock": health["clock"], "accounts": len(accounts), "resources": resources,
        "faults": len(faults), "faults_fired": sum(int(f.get("fired", 0)) for f in faults),
        "journal_last_seq": journal["last_seq"], "next_events": events,
    }
    if _wants_json(args):
        _print_json(summary)
        return 0
    clock = health["clock"]
    rows = [
        ("twin", f"cloudtwin {health['version']} at {client.url} (seed {health['seed']})"),
        ("providers", ", ".join(health["providers"])),
        ("clock", f"{short_time(clock['now'])} UTC, {'frozen' if clock['frozen'] else 'running'}"
                  f" ({_offset(clock['offset_seconds'])} from real time)"),
        ("accounts", ", ".join(a["id"] for a in accounts) or "none"),
        ("resources", "?" if resources is None else str(resources)),
        ("faults", f"{len(faults)} rules, fired {summary['faults_fired']} times"),
        ("journal", f"{journal['last_seq']} entries recorded"),
    ]
    for event in events[:3]:
        rows.append(("next event" if event is events[0] else "", _describe_event(event)))
    width = max(len(label) for label, _ in rows)
    print("\n".join(f"{label:<{width}}  {value}" for label, value in rows))
    return 0


def _optional(read: Callable[[], Any]) -> Any:
    """What a twin of another version may lack, `status` leaves out."""
    try:
        return read()
    except MissingEndpoint:
        return None


def _offset(seconds: float) -> str:
    sign = "-" if seconds < -0.5 else "+"
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{sign}{seconds / size:.1f}{unit}"
    return f"{sign}{seconds:.0f}s"


def _describe_event(event: dict[str, Any]) -> str:
    """A due event: when, whose, what (`enter:<state>`, `remove`, `timer:<name>`)."""
    whose = " ".join(str(event[k]) for k in ("provider", "kind", "id") if event.get(k))
    return f"{short_time(event.get('at'))}  {whose}  {event.get('event')}"


# resources ---------------------------------------------------------------------------
def resources(args: argparse.Namespace, client: TwinClient) -> int:
    if args.id:
        if not args.kind:
            raise ConsoleError("an id needs its PROVIDER and KIND before it")
        return _resource(args, client)
    query = {"provider": args.provider, "kind": args.kind, "account": args.account, "state": args.state,
             "q": args.search, "limit": args.limit, "cursor": args.cursor}
    pages = list(_pages(client, query, every=args.all))
    items = [item for page in pages for item in page["items"]]
    last = pages[-1]
    if _wants_json(args):
        _print_json({"items": items, "next": last.get("next"), "total": last.get("total")})
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
    if _wants_json(args):
        _print_json(document)
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


# journal -----------------------------------------------------------------------------
JOURNAL_HEADERS = ("SEQ", "VIRTUAL TIME", "PROVIDER", "ACCOUNT", "OPERATION", "STATUS", "FAULT", "MS")


def journal(args: argparse.Namespace, client: TwinClient) -> int:
    query = {"provider": args.provider, "account": args.account, "operation": args.operation,
             "status": args.status, "method": args.method, "fault": True if args.fault else None}
    shown = _journal_filter(args)
    # Ask for more than `limit`: the control plane's own calls are dropped here, after the page is cut.
    first = client.get("/journal", {**query, "since": args.since,
                                    "limit": min(JOURNAL_MAX, args.limit if not shown.dropping else args.limit * 4 + 200)})
    entries = [e for e in first["entries"] if shown(e)][-args.limit:]
    as_json = _wants_json(args)
    if not args.follow:
        if as_json:
            _print_json({"last_seq": first["last_seq"], "entries": entries})
        elif entries:
            print(_journal_table(entries))
        else:
            print("no journal entries" + (" match" if any(v is not None for v in query.values()) else ""))
        return 0
    since = int(first["last_seq"])
    _emit(entries, as_json, header=True)
    header_due = not entries
    while True:  # Ctrl-C ends it
        time.sleep(args.interval)
        page = client.get("/journal", {**query, "since": since, "limit": JOURNAL_MAX})
        since = max([since, int(page["last_seq"])] + [int(e["seq"]) for e in page["entries"]])
        fresh = [e for e in page["entries"] if shown(e)]
        if fresh:
            _emit(fresh, as_json, header=header_due)
            header_due = False


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


# faults ------------------------------------------------------------------------------
def faults_list(args: argparse.Namespace, client: TwinClient) -> int:
    rules = client.get("/faults")["faults"]
    if _wants_json(args):
        _print_json({"faults": rules})
    elif not rules:
        print("no fault rules")
    else:
        print(table(("ID", "MATCH", "SCHEDULE", "ACTION", "MATCHED", "FIRED"),
                    ((r["id"], describe_match(r.get("match") or {}), describe_schedule(r.get("schedule") or {}),
                      describe_action(r), r.get("matched"), r.get("fired")) for r in rules)))
    return 0


def faults_add(args: argparse.Namespace, client: TwinClient) -> int:
    rules = fault_rules(args)  # every rule is read and checked before the first is sent
    added = [client.post("/faults", rule) for rule in rules]
    if _wants_json(args):
        _print_json({"faults": added})
    else:
        for rule in added:
            print(f"added {rule['id']}: {describe_match(rule.get('match') or {})}, "
                  f"{describe_schedule(rule.get('schedule') or {})}, {describe_action(rule)}")
    return 0


def faults_rm(args: argparse.Namespace, client: TwinClient) -> int:
    from urllib.parse import quote

    for rule_id in args.ids:
        client.delete("/faults/" + quote(rule_id, safe=""))
    if _wants_json(args):
        _print_json({"removed": args.ids})
    else:
        print("removed " + ", ".join(args.ids))
    return 0


def faults_clear(args: argparse.Namespace, client: TwinClient) -> int:
    client.delete("/faults")
    if _wants_json(args):
        _print_json({"faults": []})
    else:
        print("no fault rules")
    return 0


# clock -------------------------------------------------------------------------------
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
    events = _optional(lambda: client.get("/events", {"limit": 5})["events"]) if action == "show" else None
    if _wants_json(args):
        _print_json({**document, **({"next_events": events} if events is not None else {})})
        return 0
    line = f"{short_time(document['now'])} UTC, {'frozen' if document['frozen'] else 'running'}"
    if "applied_events" in document:
        line += f"; {document['applied_events']} due events applied"
    print(line)
    for event in events or []:
        print("  next: " + _describe_event(event))
    return 0


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


# state -------------------------------------------------------------------------------
def state_export(args: argparse.Namespace, client: TwinClient) -> int:
    document = client.get("/state")
    text = json.dumps(document)
    if args.file in (None, "-"):
        print(text)
        return 0
    path = Path(args.file)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ConsoleError(f"{args.file}: cannot write ({error.strerror or error})") from None
    if _wants_json(args):
        _print_json({"file": str(path), "bytes": len(text.encode())})
    else:
        print(f"exported the twin's state to {path} ({len(text.encode()):,} bytes)")
    return 0


def state_import(args: argparse.Namespace, client: TwinClient) -> int:
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    except OSError as error:
        raise ConsoleError(f"{args.file}: cannot read ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise ConsoleError(f"{args.file}: not UTF-8 text; expected a state document from `cloudtwin state export`") \
            from None
    try:
        document = json.loads(text)
    except ValueError as error:
        raise ConsoleError(f"{args.file}: not JSON ({error}); expected a state document from "
                           "`cloudtwin state export`") from None
    client.put("/state", document)
    if _wants_json(args):
        _print_json({"imported": args.file})
    else:
        print(f"imported {args.file} into the twin at {client.url}")
    return 0


# Parsers -----------------------------------------------------------------------------
def _common() -> argparse.ArgumentParser:
    """--url, --admin-token and --json on every verb, after it (`cloudtwin journal --url …`)."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("twin")
    # SUPPRESS: a nested verb's default must not hide a value given to its parent.
    group.add_argument("--url", default=argparse.SUPPRESS,
                       help=f"the twin's base URL (default ${URL_ENV} or {DEFAULT_URL})")
    group.add_argument("--admin-token", default=argparse.SUPPRESS,
                       help=f"the control plane's token when the twin asks for one (default ${TOKEN_ENV})")
    group.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                       help="print the control plane's JSON, for scripts")
    return common


def register(subparsers: Any) -> None:
    common = _common()

    p = subparsers.add_parser("status", parents=[common], help="what a running twin holds: clock, counts, next events",
                              description="One screen about a running twin: version, seed, providers, clock, "
                                          "accounts, resources, fault rules, journal, the next due events.")
    p.set_defaults(run=_runs(status))

    p = subparsers.add_parser("resources", parents=[common], help="list a running twin's resources (or show one)",
                              description="List resources across providers and accounts, newest first, a page at "
                                          "a time; with an ID, one resource: its state history, pending events and "
                                          "its JSON as the provider returns it.")
    p.add_argument("provider", nargs="?", help="only this provider (genesis, barrack, rackspace)")
    p.add_argument("kind", nargs="?", help="only this kind (instance, volume, image, …)")
    p.add_argument("id", nargs="?", help="show this resource")
    p.add_argument("--account", help="only this account")
    p.add_argument("--state", help="only resources in this state")
    p.add_argument("-q", "--search", help="text searched in ids and names")
    p.add_argument("--limit", type=_positive, default=50, help="resources per page (default 50)")
    p.add_argument("--cursor", help="the page after this cursor (printed under a page)")
    p.add_argument("--all", action="store_true", help="every page")
    p.set_defaults(run=_runs(resources))

    p = subparsers.add_parser("journal", parents=[common], help="a running twin's requests, as a table (or --follow)",
                              description="Requests the twin answered: virtual time, provider, account, operation, "
                                          "status, the fault rule that fired (and its draw), duration. The control "
                                          "plane's own calls are left out unless --control-plane or --provider _twin.")
    p.add_argument("--provider", help="only this provider")
    p.add_argument("--account", help="only this account")
    p.add_argument("--operation", help="only this operation (an operationId, e.g. createInstance)")
    p.add_argument("--status", type=_status, help="only answers with this HTTP status")
    p.add_argument("--method", type=str.upper, help="only this HTTP method")
    p.add_argument("--fault", action="store_true", help="only requests a fault rule answered")
    p.add_argument("--since", type=_natural, help="only entries after this sequence number")
    p.add_argument("--limit", type=_positive, default=50, help="the newest N entries (default 50)")
    p.add_argument("--control-plane", action="store_true", help="include calls to /_twin")
    p.add_argument("-f", "--follow", action="store_true", help="keep printing entries as they come (Ctrl-C stops)")
    p.add_argument("--interval", type=_seconds, default=0.5, help="with --follow, seconds between polls (default 0.5)")
    p.set_defaults(run=_runs(journal))

    p = subparsers.add_parser("faults", parents=[common], help="a running twin's fault rules: list, add, rm, clear",
                              description="Fault rules of a running twin. Without a sub-command: list them.")
    p.set_defaults(run=_runs(faults_list))
    verbs = p.add_subparsers(dest="faults_verb", metavar="{list,add,rm,clear}")
    q = verbs.add_parser("list", parents=[common], help="the rules, with how often each matched and fired")
    q.set_defaults(run=_runs(faults_list))
    q = verbs.add_parser("add", parents=[common], help="add rules from flags and/or a JSON or YAML file",
                         description="Add a fault rule from flags, or rules from a file (one rule, a list, or "
                                     "{faults: [...]}, JSON or YAML, the shape of POST /_twin/faults); flags given "
                                     "with a file apply to each of its rules.",
                         epilog="example: cloudtwin faults add --provider genesis --operation listInstances "
                                "--first 2 --action rate_limit --retry-after 5")
    add_fault_flags(q)
    q.set_defaults(run=_runs(faults_add))
    q = verbs.add_parser("rm", parents=[common], help="remove rules by id")
    q.add_argument("ids", nargs="+", metavar="ID", help="a rule's id (see `cloudtwin faults list`)")
    q.set_defaults(run=_runs(faults_rm))
    q = verbs.add_parser("clear", parents=[common], help="remove every rule")
    q.set_defaults(run=_runs(faults_clear))

    p = subparsers.add_parser("clock", parents=[common], help="a running twin's virtual clock: show or move it",
                              description="Show the virtual clock and the next due events, or move it: "
                                          "`advance 2h` (or seconds), `freeze [INSTANT]`, `unfreeze`, "
                                          "`set 2030-01-01T00:00:00Z`. Every due event applies, in order.")
    p.add_argument("action", nargs="?", choices=("show", "advance", "freeze", "unfreeze", "set"), help="default: show")
    p.add_argument("value", nargs="?", help="a duration (90s, 2h, 30d) for advance; an ISO-8601 instant for set/freeze")
    p.set_defaults(run=_runs(clock))

    p = subparsers.add_parser("state", parents=[common], help="export or import a running twin's whole state",
                              description="The whole state as one JSON document (GET/PUT /_twin/state).")
    verbs = p.add_subparsers(dest="state_verb", metavar="{export,import}", required=True)
    q = verbs.add_parser("export", parents=[common], help="write the state to FILE (or stdout)")
    q.add_argument("file", nargs="?", metavar="FILE", help="where to write it (default: stdout)")
    q.set_defaults(run=_runs(state_export))
    q = verbs.add_parser("import", parents=[common], help="replace the state with FILE's")
    q.add_argument("file", metavar="FILE", help="a document from `cloudtwin state export` (- for stdin)")
    q.set_defaults(run=_runs(state_import))


def _positive(text: str) -> int:
    value = _natural(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {text!r}")
    return value


def _natural(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    return value


def _status(text: str) -> int:
    value = _natural(text)
    if not 100 <= value <= 599:
        raise argparse.ArgumentTypeError(f"expected an HTTP status (100-599), got {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not 0.05 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"expected between 0.05 and 3600 seconds, got {text!r}")
    return value


commands.REGISTER.append(register)
