"""Fault profiles: seeded probabilistic fault rules a chaos campaign applies.

A profile is a list of fault rules, exactly as `POST /_twin/faults` takes them, usually with
`schedule: {mode: probability, …}`. Four are built in; a user's profile is a YAML file with a
`faults:` list (or a plain list). `lifecycle-stalls` is built from the twin's own lifecycle
fixtures, so it names no provider: every timed state of every kind may take ten times longer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import yaml


def _flaky_network(twin: Any) -> list[dict[str, Any]]:
    return [
        {"description": "a reset before the request arrives", "schedule": {"mode": "probability", "probability": 0.05},
         "action": {"type": "reset"}},
        {"description": "the answer is lost after the request took effect",
         "match": {"method": "POST"}, "schedule": {"mode": "probability", "probability": 0.05},
         "action": {"type": "empty_reply", "after_handler": True}},
        {"description": "a cut-off body", "schedule": {"mode": "probability", "probability": 0.03},
         "action": {"type": "truncated", "fraction": 0.5}},
        {"description": "a slow network", "schedule": {"mode": "probability", "probability": 0.2},
         "action": {"type": "latency", "ms": 50, "distribution": "lognormal", "sigma": 0.5}},
    ]


def _throttled(twin: Any) -> list[dict[str, Any]]:
    return [{"description": "the provider throttles", "schedule": {"mode": "probability", "probability": 0.2},
             "action": {"type": "rate_limit", "retry_after": 1}}]


def _degraded_region(twin: Any) -> list[dict[str, Any]]:
    return [
        {"description": "creates fail while the region is degraded", "match": {"method": "POST"},
         "schedule": {"mode": "probability", "probability": 0.25}, "action": {"type": "error", "status": 503}},
        {"description": "everything is slow", "schedule": {"mode": "probability", "probability": 0.5},
         "action": {"type": "latency", "ms": 200, "distribution": "lognormal", "sigma": 0.4}},
    ]


def _lifecycle_stalls(twin: Any) -> list[dict[str, Any]]:
    rules = []
    for provider, fixtures in sorted(twin.fixtures.items()):
        for kind, states in sorted((fixtures.get("lifecycles") or {}).items()):
            for state, how in sorted((states or {}).items()):
                after = (how or {}).get("after") if isinstance(how, dict) else None
                if after is None:
                    continue
                rules.append({"description": f"{provider} {kind} stays {state} ten times longer",
                              "match": {"provider": provider}, "schedule": {"mode": "probability", "probability": 0.3},
                              "lifecycle": {"kind": kind, "state": state, "after": _times(after, 10)}})
    return rules


def _times(duration: Any, factor: int) -> float:
    from ...engine.clock import parse_duration

    return parse_duration(duration) * factor


BUILT_IN: dict[str, Callable[[Any], list[dict[str, Any]]]] = {
    "flaky-network": _flaky_network, "throttled": _throttled, "degraded-region": _degraded_region,
    "lifecycle-stalls": _lifecycle_stalls,
}


class ProfileError(ValueError):
    pass


def load(name: str, twin: Any) -> list[dict[str, Any]]:
    """The rules of a built-in profile, or of a YAML file (`faults:` list or a list)."""
    if name in BUILT_IN:
        return BUILT_IN[name](twin)
    path = Path(name)
    if not path.is_file():
        raise ProfileError(f"--profile {name}: neither a built-in profile ({', '.join(BUILT_IN)}) nor a file")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ProfileError(f"--profile {name}: cannot read it ({exc.__class__.__name__})") from None
    rules = document.get("faults") if isinstance(document, dict) else document
    if not isinstance(rules, list) or not rules or not all(isinstance(r, dict) for r in rules):
        raise ProfileError(f"--profile {name}: expected a non-empty `faults:` list of fault rules")
    return rules
