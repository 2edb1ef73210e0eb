"""Write a recording's outputs; every file's text passes the scrubber's final net."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

import yaml

from .forward import Origin, Routes, map_urls
from .har import har
from .hooks import RecordingHooks, Seen
from .observed import observe, report
from .scenario_builder import ScenarioBuilder
from .session import Session


def write_outputs(session: Session, out: Path, hooks: RecordingHooks, *, known_lifecycles: dict[str, Any],
                  default_api: str) -> dict[str, str]:
    exchanges = session.snapshot()
    scrubber = session.scrubber
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, str] = {}

    def put(name: str, text: str) -> None:
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(scrubber.text(text), encoding="utf-8")
        written[name] = str(path)

    routes = Routes(Origin.parse(session.target))
    scenario = ScenarioBuilder(session.provider, hooks, default_api, scrubber.is_secret_key, routes).build(
        exchanges, name=f"recorded {session.provider} session ({len(exchanges)} exchanges)")
    put("scenario.yaml", _yaml(scrubber.body(scenario)))
    put("lifecycles.yaml", _yaml(report(observe(exchanges, known_lifecycles, hooks.state_field),
                                        session.provider)))
    put("latency.yaml", _yaml(latency_report(session)))
    for stem, data in catalogue(session, hooks).items():
        put(f"fixtures/{session.provider}/{stem}.yaml", _yaml(scrubber.body(data)))
    put("session.har", json.dumps(har(exchanges, scrubber), indent=1))
    return written


def catalogue(session: Session, hooks: RecordingHooks) -> dict[str, Any]:
    """The catalogue answers the session saw, in the twin's fixture format.

    Each answer is mapped as the upstream gave it (URLs the proxy rewrote for the client are
    the upstream's again), knowing the facts earlier answers told. Answers add up: two pages
    of one list, or one image seen in two regions, fill one file (`accumulate`)."""
    exchanges = [e for e in session.snapshot() if e.matched and e.status == 200]
    proxy_hosts = {host for e in exchanges if (host := e.header("host", response=False))}
    routes = Routes(Origin.parse(session.target))
    facts: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for exchange in exchanges:
        assert exchange.matched is not None
        operation = exchange.matched.operation
        reader, mapper = hooks.facts.get(operation), hooks.catalogue.get(operation)
        body = exchange.response_json()
        if body is None or (reader is None and mapper is None):
            continue
        body = map_urls(body, lambda url: routes.to_upstream(url, proxy_hosts))
        if reader is not None:
            facts.update(reader(body))
        if mapper is not None:
            for stem, data in mapper(body, Seen(exchange.url, dict(facts))).items():
                files[stem] = accumulate(files.get(stem, {}), data)
    return files


def accumulate(base: Any, more: Any) -> Any:
    """Catalogue data seen twice, added up: mappings merge, records with an `id` merge with the
    record of the same id, other lists gain the items they lacked; a later scalar wins."""
    if isinstance(base, Mapping) and isinstance(more, Mapping):
        out = dict(base)
        for key, value in more.items():
            out[key] = accumulate(base[key], value) if key in base else value
        return out
    if isinstance(base, list) and isinstance(more, list):
        if all(isinstance(item, Mapping) and "id" in item for item in [*base, *more]):
            by_id: dict[Any, Any] = {item["id"]: item for item in base}
            for item in more:
                by_id[item["id"]] = accumulate(by_id[item["id"]], item) if item["id"] in by_id else item
            return list(by_id.values())
        return [*base, *(item for item in more if item not in base)]
    return more


def latency_report(session: Session) -> dict[str, Any]:
    by_operation: dict[str, list[float]] = {}
    for exchange in session.snapshot():
        if exchange.matched and exchange.fault is None:
            by_operation.setdefault(exchange.matched.operation, []).append(exchange.elapsed_ms)
    return {"format": "cloudtwin-observed-latency", "provider": session.provider, "operations": by_operation}


def _yaml(document: Any) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
