"""What a replayed scenario did, on the twin's virtual clock: the data of a replay report.

Taken right after the run, through the twin's own control plane (so an in-process twin and
a served one read alike): the journal gives every request with its status and fault, and the
control plane's clock moves; /_twin/history gives every state each resource went through.
The result is plain JSON-able data; `html_report` draws it.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from .matching import MISSING
from .runner import ScenarioResult, StepResult

ADMIN_PROVIDER = "_twin"
CLOCK_OPERATIONS = {"advanceClock": "advance", "setClock": "set", "freezeClock": "freeze",
                    "unfreezeClock": "unfreeze"}
TWIN_OPERATIONS = {"addFault": "fault rule added", "clearFaults": "fault rules cleared",
                   "deleteFault": "fault rule removed", "runProviderAction": "operator action",
                   "setRateLimits": "rate limits changed", "resetTwin": "twin reset"}
STATELESS = "exists"  # the lane of a resource kind without states
PAGE = 10_000  # the control plane's largest page
MAX_PAGES = 20  # a scenario's history is short; this only bounds a runaway twin


def baseline(target: Any) -> int:
    """The history's last sequence number before a run: the fixtures' resources came before it."""
    if not getattr(target, "is_twin", False):
        return 0
    document = _admin_json(target, "/history", {"since": 0, "limit": 1}) or {}
    return int(document.get("last_seq") or 0)


def capture(result: ScenarioResult, target: Any, history_since: int = 0) -> dict[str, Any]:
    """`history_since`: resources with no change after it (the fixtures' own) get no lane."""
    scenario = result.scenario
    data: dict[str, Any] = {
        "name": scenario.name, "path": str(scenario.path), "provider": scenario.provider,
        "passed": result.passed, "error": result.error,
        "steps": [_step(step) for step in result.steps],
        "requests": [], "clock": [], "twin_events": [], "lifecycle_faults": [], "lanes": [],
        "notes": [], "time_base": "virtual",
    }
    if not getattr(target, "is_twin", False) or not hasattr(target, "twin"):
        data["notes"].append("not run on an in-process twin: requests as the steps saw them (a wait's last "
                             "poll), on the wall clock; no resource lanes")
        data["requests"] = _step_requests(result)
        data["time_base"] = "wall"
        return data
    entries = _journal(target)
    data["verdicts"] = _verdicts(entries)
    _split_journal(entries, data)
    _assign_steps(data)
    changes = _history(target)
    if changes is None:
        data["notes"].append("this twin records no resource history (/_twin/history)")
    else:
        touched = {_resource(c) for c in changes if int(c.get("seq") or 0) > history_since}
        data["lanes"] = _lanes([c for c in changes if _resource(c) in touched])
    return data


def _step(step: StepResult) -> dict[str, Any]:
    exchange = step.exchange or {}
    out: dict[str, Any] = {
        "index": step.step.index, "kind": step.step.kind, "title": step.step.title, "line": step.step.line,
        "outcome": step.outcome, "detail": step.detail, "at": step.virtual_at, "virtual_s": step.virtual_s,
        "journal_seq": step.journal_seq,
        "mismatches": [{"where": m.where, "expected": _plain(m.expected), "actual": _plain(m.actual)}
                       for m in step.mismatches],
    }
    if step.outcome == "failed":
        response = exchange.get("response") or {}
        request = exchange.get("request") or {}
        out["request"] = {k: request.get(k) for k in ("method", "url", "query", "body") if request.get(k) is not None}
        out["response"] = {k: _plain(response.get(k)) for k in ("status", "body", "error") if k in response}
        if "expect" in exchange:
            out["expected"] = _plain(exchange["expect"])
        if "journal" in exchange:
            out["journal"] = _plain(exchange["journal"])
    return out


def _step_requests(result: ScenarioResult) -> list[dict[str, Any]]:
    """Without a journal: each request step's exchange, at the instant its step began."""
    out = []
    for number, step in enumerate(result.steps, 1):
        request, response = (step.exchange or {}).get("request"), (step.exchange or {}).get("response")
        if not request or not response:
            continue
        out.append({"seq": number, "at": step.virtual_at, "operation": None, "method": request.get("method"),
                    "path": request.get("url"), "status": response.get("status"), "account": None, "fault": None,
                    "duration_ms": round(step.real_ms, 3), "response": _plain(response.get("body")),
                    "step": step.step.index})
    return out


def _plain(value: Any) -> Any:
    """JSON-able: what the report embeds must survive json.dumps."""
    if value is MISSING:
        return "(absent)"
    return json.loads(json.dumps(value, default=str))


def _admin_json(target: Any, path: str, query: Mapping[str, Any]) -> Any:
    response = target.admin("GET", path, None, dict(query))
    if response.status != 200:
        return None
    return response.json()


def _journal(target: Any) -> list[dict[str, Any]]:
    document = _admin_json(target, "/journal", {"limit": PAGE}) or {}
    return list(document.get("entries") or [])


def _verdicts(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """How the scenario's client fared, judged from the same journal the timeline draws."""
    from .verdicts import judge

    return judge(entries).to_dict()


def _history(target: Any) -> list[dict[str, Any]] | None:
    changes: list[dict[str, Any]] = []
    since = 0
    for _ in range(MAX_PAGES):
        document = _admin_json(target, "/history", {"since": since, "limit": PAGE})
        if document is None:
            return None if not changes else changes
        page = list(document.get("entries") or [])
        changes += page
        following = document.get("next_since")
        if not page or following is None or int(following) <= since:
            break
        since = int(following)
    return changes


def _split_journal(entries: list[dict[str, Any]], data: dict[str, Any]) -> None:
    for entry in entries:
        epoch = float(entry.get("epoch") or 0.0)
        if entry.get("event") == "lifecycle_fault":
            fault = entry.get("fault") or {}
            data["lifecycle_faults"].append({"seq": entry.get("seq"), "at": epoch, "fault": _plain(fault)})
            continue
        operation = entry.get("operation")
        if entry.get("provider") == ADMIN_PROVIDER:
            if operation in CLOCK_OPERATIONS and entry.get("status") == 200:
                data["clock"].append(_clock_move(entry, CLOCK_OPERATIONS[operation], epoch))
            elif operation in TWIN_OPERATIONS and int(entry.get("status") or 0) < 300:
                data["twin_events"].append({"seq": entry.get("seq"), "at": epoch, "what": TWIN_OPERATIONS[operation],
                                            "body": _preview_json(entry.get("request_body"))})
            continue
        data["requests"].append({
            "seq": entry.get("seq"), "at": epoch, "operation": operation, "method": entry.get("method"),
            "path": entry.get("path"), "status": entry.get("status"), "account": entry.get("account"),
            "fault": _plain(entry.get("fault")), "duration_ms": entry.get("duration_ms"),
            "response": entry.get("response_body"),
        })


def _clock_move(entry: Mapping[str, Any], kind: str, before: float) -> dict[str, Any]:
    answer = _preview_json(entry.get("response_body")) or {}
    after = float(answer.get("epoch", before)) if isinstance(answer, dict) else before
    return {"seq": entry.get("seq"), "kind": kind, "from": before, "to": max(before, after),
            "frozen": answer.get("frozen") if isinstance(answer, dict) else None,
            "applied": answer.get("applied_events") if isinstance(answer, dict) else None}


def _preview_json(text: Any) -> Any:
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _assign_steps(data: dict[str, Any]) -> None:
    """Each request, clock move and twin event belongs to the step whose journal window holds its seq."""
    bounds = [(s["journal_seq"], s["index"]) for s in data["steps"] if s.get("journal_seq") is not None]
    for collection in ("requests", "clock", "twin_events", "lifecycle_faults"):
        for item in data[collection]:
            owner = None
            for start, index in bounds:
                if item["seq"] is not None and item["seq"] > start:
                    owner = index
            item["step"] = owner


def _resource(change: Mapping[str, Any]) -> tuple[str, str, str]:
    return str(change.get("provider")), str(change.get("kind")), str(change.get("id"))


def _lanes(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One lane per resource, in the order they first appear; each a list of states over time."""
    lanes: dict[tuple[str, str, str], dict[str, Any]] = {}
    for change in sorted(changes, key=lambda c: int(c.get("seq") or 0)):
        key = _resource(change)
        lane = lanes.setdefault(key, {"provider": key[0], "kind": key[1], "id": key[2],
                                      "account": change.get("account"), "states": [], "removed": None})
        epoch = _epoch(change)
        states = lane["states"]
        if states and states[-1]["to"] is None and change.get("to") == states[-1]["state"]:
            continue  # a state entered again (a creation, then its lifecycle's first entry): one span
        if states and states[-1]["to"] is None:
            states[-1]["to"] = epoch
        created = not states and lane["removed"] is None and change.get("from") is None
        if change.get("to") is not None:
            states.append({"state": change["to"], "from": epoch, "to": None})
        elif created:  # a kind with no states (an ssh key): created is null -> null
            states.append({"state": STATELESS, "from": epoch, "to": None})
        else:
            lane["removed"] = epoch
    return list(lanes.values())


def _epoch(change: Mapping[str, Any]) -> float:
    if change.get("epoch") is not None:
        return float(change["epoch"])
    from ..engine.clock import parse_iso

    return parse_iso(str(change["at"]))
