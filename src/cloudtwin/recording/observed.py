"""Observed lifecycles: for each resource, the states it was seen in and the real time between.

A resource is any JSON object in an answer with an `id` and a state field whose kind the
provider's lifecycle fixtures know; its kind comes from the key that holds it (`instance`,
`instances[]`) or, for a bare object, from the path (`/v2/images/{id}` -> image). A 404 on
a resource's own path after it was seen means it is gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping

from .session import Exchange


@dataclass
class Sighting:
    state: str
    first: float
    last: float


@dataclass
class Observed:
    kind: str
    id: str
    sightings: list[Sighting] = field(default_factory=list)

    def see(self, state: str, at: float) -> None:
        if self.sightings and self.sightings[-1].state == state:
            self.sightings[-1].last = at
        else:
            self.sightings.append(Sighting(state, at, at))

    def transitions(self) -> Iterator[dict[str, Any]]:
        """Each state left, how long it lasted (its end is taken half-way between the last time
        it was seen and the first time the next was), and the bounds the polls allow."""
        for current, following in zip(self.sightings, self.sightings[1:]):
            ended = (current.last + following.first) / 2
            yield {"state": current.state, "then": following.state, "seconds": round(ended - current.first, 3),
                   "at_least": round(current.last - current.first, 3),
                   "at_most": round(following.first - current.first, 3)}


def singular(word: str) -> str:
    word = word.lower().replace("-", "_")
    for plural, one in (("ies", "y"), ("ses", "s"), ("s", "")):
        if word.endswith(plural) and len(word) > len(plural) + 1:
            return word[: -len(plural)] + one
    return word


def observe(exchanges: Iterable[Exchange], known: Mapping[str, Any], state_field: str = "status"
            ) -> list[Observed]:
    """known: the provider's lifecycle fixtures (kind -> states)."""
    kinds = {k.lower(): k for k in known}
    seen: dict[tuple[str, str], Observed] = {}
    for exchange in exchanges:
        if exchange.fault is not None or exchange.matched is None:
            continue
        at = exchange.started + exchange.elapsed_ms / 1000
        path_kind = _kind_from_path(exchange.matched.template, kinds)
        if exchange.status == 404 and exchange.method == "GET":
            for (kind, rid), observed in seen.items():
                if rid in exchange.path and kind == path_kind:
                    observed.see("(removed)", at)
            continue
        for kind, rid, state in _resources(exchange.response_json(), path_kind, kinds, state_field):
            seen.setdefault((kind, rid), Observed(kind, rid)).see(state, at)
    return [o for o in seen.values() if len(o.sightings) > 1 or o.sightings[0].state in known.get(o.kind, {})]


def _kind_from_path(template: str, kinds: Mapping[str, str]) -> str | None:
    literals = [p for p in template.split("/") if p and not p.startswith("{")]
    for literal in reversed(literals):
        kind = kinds.get(singular(literal))
        if kind:
            return kind
    return None


def _resources(body: Any, kind: str | None, kinds: Mapping[str, str], state_field: str,
               depth: int = 0) -> Iterator[tuple[str, str, str]]:
    if depth > 4:
        return
    if isinstance(body, dict):
        state = body.get(state_field)
        if kind and "id" in body and isinstance(state, str):
            yield kind, str(body["id"]), state
        for key, value in body.items():
            inner = kinds.get(singular(str(key)))
            if isinstance(value, (dict, list)):
                yield from _resources(value, inner, kinds, state_field, depth + 1)
    elif isinstance(body, list):
        for item in body:
            yield from _resources(item, kind, kinds, state_field, depth + 1)


def report(observed: list[Observed], provider: str) -> dict[str, Any]:
    """The `lifecycles.yaml` of a recording: what `calibrate` reads."""
    resources = []
    for item in observed:
        resources.append({"kind": item.kind, "id": item.id,
                          "states": [{"state": s.state, "first_seen_s": round(s.first - observed_origin(observed), 3),
                                      "last_seen_s": round(s.last - observed_origin(observed), 3)}
                                     for s in item.sightings],
                          "transitions": list(item.transitions())})
    return {"format": "cloudtwin-observed-lifecycles", "provider": provider, "resources": resources}


def observed_origin(observed: list[Observed]) -> float:
    return min((s.first for o in observed for s in o.sightings), default=0.0)
