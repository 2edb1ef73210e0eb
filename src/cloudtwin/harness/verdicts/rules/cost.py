"""What duplicates and orphans cost on the provider's own meter.

The price is the one the provider quoted into the journal when the resource was made (see
`Provider.price`): an hourly rate and/or a one-off amount, in the provider's own currency or
credits. A resource accrues from the request that made it until a later successful DELETE
names it (or what was made with it), or until the journal ends.
"""

from __future__ import annotations

from typing import Any

from ..model import Timeline, Verdict, verdict_for
from ..registry import rule
from .waste import wasted

HOUR = 3600.0


@rule("cost")
def judge(timeline: Timeline) -> list[Verdict]:
    by_key: dict[tuple, list] = {}
    for lost, resource in wasted(timeline):
        by_key.setdefault(lost.attempt.key, []).append((lost, resource))
    out = []
    end = timeline.end_epoch
    for key, items in by_key.items():
        totals: dict[str, dict[str, float]] = {}
        unpriced = []
        for lost, resource in items:
            price = resource.get("price")
            if not price:
                unpriced.append(f"{resource['kind']} {resource['id']}")
                continue
            until = _deleted_at(timeline, lost.attempt, lost.resources) or end
            hours = max(0.0, until - float(lost.attempt["epoch"])) / HOUR
            total = totals.setdefault(str(price.get("currency", "?")), {"per_hour": 0.0, "accrued": 0.0,
                                                                       "resources": 0})
            total["per_hour"] += float(price.get("per_hour", 0.0))
            total["accrued"] += float(price.get("per_hour", 0.0)) * hours + float(price.get("once", 0.0))
            total["resources"] += 1
        figures: dict[str, Any] = {c: {k: round(v, 6) for k, v in t.items()} for c, t in totals.items()}
        evidence = [lost.attempt.seq for lost, _ in items]
        if totals:
            text = "; ".join(f"{t['accrued']:.4f} {c} so far, {t['per_hour']:.4f} {c}/hour while they run"
                             for c, t in figures.items())
            out.append(verdict_for("cost", key, "fail", f"duplicates and orphans cost {text}", evidence,
                                   costs=figures, unpriced=unpriced))
        else:
            out.append(verdict_for("cost", key, "warn",
                                   f"{len(unpriced)} wasted resource(s), none priced by the twin's fixtures",
                                   evidence, costs={}, unpriced=unpriced))
    return out


def _deleted_at(timeline: Timeline, made: Any, resources: list[Any]) -> float | None:
    """When a successful DELETE named one of what the call made (its dependents go with it)."""
    for attempt in timeline.after(made):
        if attempt["method"] == "DELETE" and attempt.succeeded and any(attempt.mentions(str(r["kind"]), str(r["id"])) for r in resources):
            return float(attempt["epoch"])
    return None
