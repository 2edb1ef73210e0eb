"""The control plane's read side for the dashboard and the CLI: resources across providers,
their state histories, the clock's pending events, rate-limit buckets and client settings.

Registered on the admin API's handlers (spec `twin-admin.yaml`). An answer costs what its page
costs, not what the store holds: listings bisect the tables' creation order, a filter (state,
search) examines a bounded number of rows per call, the history is a bounded ring. The event queue
is read from its heap's root (the next due events) or through its index by resource.
"""

from __future__ import annotations

import itertools
import re
from typing import Any, Iterator

from .admin import handlers
from .clock import iso
from .errors import ApiError
from .lifecycle import Event
from .provider import Call
from .resource_kinds import ResourceKind, render, summary
from .store import Row, Table
from .twin import Twin

LAST_SEQ = 2**62  # above any row's creation number
# Rows a filtered listing (state, q) examines per call: about 30 ms, so the twin's lock, which every
# provider request also needs, is never held long by someone looking.
SCAN_BUDGET = 20_000


# Resources ------------------------------------------------------------------------------
def _cursor(kind: ResourceKind, row: Row) -> str:
    return f"{kind.provider}:{kind.kind}:{row.seq}"


def _parse_cursor(text: str | None) -> tuple[str, str, int] | None:
    if not text:
        return None
    match = re.fullmatch(r"([^:]+):([^:]+):(\d{1,18})", text)
    if match is None:
        raise ApiError("invalid_request", f"Not a cursor from this listing: {text!r}.")
    return match.group(1), match.group(2), int(match.group(3))


def _kinds(twin: Twin, provider: str | None, kind: str | None) -> list[ResourceKind]:
    out = []
    for key in twin.resource_kinds:
        declared = twin.resource_kinds.get(*key)
        if declared is not None and provider in (None, key[0]) and kind in (None, key[1]):
            out.append(declared)
    return out


def _rows_after(table: Table, account: str | None, seq: int) -> Iterator[Row]:
    """The table's rows created after `seq`, oldest first: a bisection, then the page."""
    if account is not None:
        index = table.account_index(account)
        if index is None:
            return iter(())
        return map(index.__getitem__, index.islice(index.bisect_right(seq)))
    order = table.ordered("seq", key=lambda row: row.seq)
    return order.islice(order.bisect_key_right(seq))


def _count(table: Table, account: str | None) -> int:
    return table.count(account) if account is not None else len(table)


def _scan(twin: Twin, kinds: list[ResourceKind], account: str | None,
          start: tuple[str, str, int] | None) -> Iterator[tuple[ResourceKind, Row]]:
    """Every row of these kinds after the cursor, in listing order."""
    started = start is None
    for kind in kinds:
        after = -1
        if not started:
            assert start is not None
            if (kind.provider, kind.kind) < start[:2]:
                continue
            started = True
            after = start[2] if (kind.provider, kind.kind) == start[:2] else -1
        table = twin.store.table(kind.provider, kind.kind)
        for row in _rows_after(table, account, after):
            yield kind, row


@handlers("listResources")
def list_resources(call: Call) -> dict[str, Any]:
    """One page. Unfiltered, it reads the page and the tables' counts. With `state` or `q`, it
    examines at most SCAN_BUDGET rows (the twin's lock is held meanwhile): a page may come back
    short with a `next` to go on from, and `total` counts what this scan saw (`total_exact`
    says whether that is every match)."""
    twin = call.twin
    query = call.query
    limit = int(query.get("limit", 50))
    account = query.get("account") or None
    state = query.get("state") or None
    needle = str(query.get("q") or "").lower() or None
    kinds = _kinds(twin, query.get("provider") or None, query.get("kind") or None)
    start = _parse_cursor(query.get("cursor"))

    def keep(kind: ResourceKind, row: Row) -> bool:
        if state is not None and (kind.state is None or str(kind.state.read(row)) != state):
            return False
        if needle is not None:
            if needle in kind.id_of(row).lower():
                return True
            name = kind.name.read(row) if kind.name is not None else None
            return name is not None and needle in str(name).lower()
        return True

    filtered = state is not None or needle is not None
    items: list[dict[str, Any]] = []
    next_cursor: str | None = None
    last: tuple[ResourceKind, Row] | None = None
    matched = examined = 0
    for kind, row in _scan(twin, kinds, account, start):
        examined += 1
        if not filtered or keep(kind, row):
            matched += 1
            if len(items) < limit:
                items.append(summary(kind, row))
                last = (kind, row)
            elif not filtered:
                break
            elif next_cursor is None:
                next_cursor = _cursor(*last)  # type: ignore[misc]  # a full page: the next starts after it
        if filtered and examined >= SCAN_BUDGET:
            if next_cursor is None:
                next_cursor = _cursor(kind, row)  # the page is short: go on from the last row examined
            break
    else:
        examined = -1  # the scan reached the end
    # Every kind the provider (and account) filter leaves, with its count: what a kind filter offers.
    counts = [{"provider": k.provider, "kind": k.kind, "count": _count(twin.store.table(k.provider, k.kind), account)}
              for k in _kinds(twin, query.get("provider") or None, None)]
    if not filtered:
        next_cursor = _cursor(*last) if last is not None and matched > limit else None  # type: ignore[misc]
        total = sum(c["count"] for c in counts if c["kind"] == query.get("kind") or not query.get("kind"))
        return {"items": items, "next": next_cursor, "total": total, "total_exact": True, "kinds": counts}
    return {"items": items, "next": next_cursor, "total": matched, "total_exact": start is None and examined == -1,
            "kinds": counts}


def _find(twin: Twin, kind: ResourceKind, public_id: str, region: str | None) -> Row | None:
    """The row the provider shows as `public_id`."""
    table = twin.store.table(kind.provider, kind.kind)
    key = kind.store_key(public_id, region)
    if key is not None:
        return table.get(key)
    # No region given for a kind keyed by region: the first row showing that id (an index built
    # on first use and kept by the table).
    order = table.ordered("public_id", key=lambda row: (kind.id_of(row), row.seq))
    return next(iter(order.irange_key((public_id, -1), (public_id, LAST_SEQ))), None)


@handlers("getResource")
def get_resource(call: Call) -> dict[str, Any]:
    twin = call.twin
    path = call.path
    kind = twin.resource_kinds.get(path["provider"], path["kind"])
    if kind is None:
        raise ApiError("not_found", f"No resource kind {path['kind']} in {path['provider']}.")
    public_id = str(path["id"])
    row = _find(twin, kind, public_id, call.query.get("region"))
    history = twin.history.of(kind.provider, row.account if row is not None else None, kind.kind, public_id)
    if row is None:
        if not history:
            raise ApiError("not_found", f"No {kind.kind} {public_id} in {kind.provider}, now or before.")
        resource = {"provider": kind.provider, "account": None, "kind": kind.kind, "id": public_id, "name": None,
                    "state": None, "region": call.query.get("region"), "created_at": None}
        return {"resource": resource, "removed": True, "body": None, "body_error": "The resource was removed.",
                "history": history, "pending": []}
    host = call.request.base_url.rsplit("/_twin", 1)[0]
    body, body_error = render(twin, kind, row, host)
    return {"resource": summary(kind, row), "removed": False, "body": body, "body_error": body_error,
            "history": history, "pending": [_event(twin, e) for e in _pending_of(twin, kind, row)]}


# History and events ---------------------------------------------------------------------
@handlers("getHistory")
def get_history(call: Call) -> dict[str, Any]:
    query = call.query
    since = int(query.get("since", 0))
    filters = {key: query.get(key) for key in ("provider", "account", "kind", "id")}
    changes = call.twin.history.query(filters, since, int(query.get("limit", 500)))
    return {"entries": changes, "next_since": changes[-1]["seq"] if changes else since,
            "last_seq": call.twin.history.last_seq}


def _live(twin: Twin, event: Event) -> bool:
    """False for a lifecycle event its row has moved past (it will be skipped when due)."""
    if event.action != "lifecycle":
        return True
    payload = event.payload
    row = twin.store.table(payload["provider"], payload["kind"]).get(payload["id"])
    return row is not None and row.meta_field("lifecycle_generation") == payload["generation"]


def _event(twin: Twin, event: Event) -> dict[str, Any]:
    payload = event.payload
    if event.action == "lifecycle":
        provider, kind, row_id = payload["provider"], payload["kind"], str(payload["id"])
        what = "remove" if payload["remove"] else f"enter:{payload['then']}"
        row = twin.store.table(provider, kind).get(row_id)
        declared = twin.resource_kinds.get(provider, kind)
        shown = declared.id_of(row) if declared is not None and row is not None else row_id
        account = row.account if row is not None else None
    else:
        provider, _, timer = event.action.partition(":")
        kind = payload.get("kind")
        shown = None if payload.get("id") is None else str(payload["id"])
        what, account = f"timer:{timer}", payload.get("account")
    return {"at": iso(event.due), "epoch": event.due, "provider": provider, "account": account, "kind": kind,
            "id": shown, "event": what}


@handlers("listEvents")
def list_events(call: Call) -> dict[str, Any]:
    twin = call.twin
    limit = int(call.query.get("limit", 20))
    live = (event for event in twin.scheduler.earliest(limit) if _live(twin, event))
    events = list(itertools.islice(live, limit))
    return {"now": iso(twin.clock.now()), "pending": len(twin.scheduler),
            "events": [_event(twin, e) for e in events]}


def _pending_of(twin: Twin, kind: ResourceKind, row: Row) -> list[Event]:
    return [e for e in twin.scheduler.concerning(kind.provider, kind.kind, row.id) if _live(twin, e)]


# Rate limits and client settings --------------------------------------------------------
@handlers("listRateLimits")
def list_rate_limits(call: Call) -> dict[str, Any]:
    twin = call.twin
    now = twin.clock.now()
    return {"providers": {name: {**limiter.describe(), "buckets": limiter.buckets(now)}
                          for name, limiter in sorted(twin.rate_limiters.items())}}


_PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[A-Za-z0-9_-]+)?)\}")


@handlers("getClientSettings")
def get_client_settings(call: Call) -> dict[str, Any]:
    twin = call.twin
    account = twin.store.accounts.get(call.path["account_id"])
    if account is None:
        raise ApiError("not_found", f"No account {call.path['account_id']}.")
    root = call.request.base_url.rsplit("/_twin", 1)[0]
    providers: dict[str, Any] = {}
    for name, provider in sorted(twin.providers.items()):
        credentials = account.credentials.get(name) or {}
        base = {label: f"{root}/{name}{path}" for label, path in provider.base_paths.items()}
        values = {"root": root, "account": account.id, "base": next(iter(base.values()), f"{root}/{name}"),
                  **{f"base.{k}": v for k, v in base.items()},
                  **{f"credentials.{k}": str(v) for k, v in credentials.items()}}
        snippets = []
        for api in provider.apis:
            for raw in twin.specs[api.name].extension.get("clients") or []:
                text = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), str(raw["text"]))
                snippets.append({"label": str(raw["label"]), "language": str(raw.get("language", "shell")),
                                 "text": text})
        providers[name] = {"base_urls": base, "credentials": credentials, "snippets": snippets}
    return {"account": account.id, "name": account.name, "providers": providers}


__all__ = ["list_resources", "get_resource", "get_history", "list_events", "list_rate_limits",
           "get_client_settings"]
