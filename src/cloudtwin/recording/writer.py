"""Write a recording's outputs; every file's text passes the scrubber's final net."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from .forward import Origin, Routes
from .har import har
from .hooks import RecordingHooks
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
    """The catalogue answers the session saw, in the twin's fixture format. Two answers may fill
    one file (GPU specs and prices): they are merged, a later answer winning a shared key."""
    from ..engine.fixtures import merge

    files: dict[str, Any] = {}
    for exchange in session.snapshot():
        mapper = hooks.catalogue.get(exchange.matched.operation) if exchange.matched else None
        body = exchange.response_json()
        if mapper is None or exchange.status != 200 or body is None:
            continue
        for stem, data in mapper(body).items():
            files[stem] = merge(files.get(stem, {}), data)
    return files


def latency_report(session: Session) -> dict[str, Any]:
    by_operation: dict[str, list[float]] = {}
    for exchange in session.snapshot():
        if exchange.matched and exchange.fault is None:
            by_operation.setdefault(exchange.matched.operation, []).append(exchange.elapsed_ms)
    return {"format": "cloudtwin-observed-latency", "provider": session.provider, "operations": by_operation}


def _yaml(document: Any) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
