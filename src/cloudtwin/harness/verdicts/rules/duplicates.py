"""Retrying a non-idempotent create after its answer was lost duplicates the resource."""

from __future__ import annotations

from ..model import Timeline, Verdict, verdict_for
from ..registry import rule
from .waste import lost_creates


@rule("duplicates")
def judge(timeline: Timeline) -> list[Verdict]:
    by_key: dict[tuple, list] = {}
    for lost in lost_creates(timeline):
        by_key.setdefault(lost.attempt.key, []).append(lost)
    out = []
    for key, losses in by_key.items():
        duplicated = [lost for lost in losses if lost.duplicated]
        resources = [{"kind": r["kind"], "id": r["id"]} for lost in duplicated for r in lost.resources]
        evidence = [s for lost in duplicated for s in (lost.attempt.seq, lost.retried_by.seq)]  # type: ignore[union-attr]
        if not duplicated:
            out.append(verdict_for("duplicates", key, "pass",
                                   f"{len(losses)} create(s) lost their answer; none was blindly repeated",
                                   [lost.attempt.seq for lost in losses], duplicates=0, resources=[]))
            continue
        cleaned = all(lost.found for lost in duplicated)
        outcome = "warn" if cleaned else "fail"
        tail = "; the client found and handled them later" if cleaned else ""
        out.append(verdict_for("duplicates", key, outcome,
                               f"{len(duplicated)} create(s) repeated after a lost answer made "
                               f"{len(resources)} duplicate resource(s){tail}", evidence,
                               duplicates=len(duplicated), resources=resources))
    return out
