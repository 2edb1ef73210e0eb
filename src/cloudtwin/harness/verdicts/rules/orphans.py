"""Resources made by a request whose answer was lost, and never named by the client again."""

from __future__ import annotations

from ..model import Timeline, Verdict, verdict_for
from ..registry import rule
from .waste import lost_creates


@rule("orphans")
def judge(timeline: Timeline) -> list[Verdict]:
    by_key: dict[tuple, list] = {}
    for lost in lost_creates(timeline):
        by_key.setdefault(lost.attempt.key, []).append(lost)
    out = []
    for key, losses in by_key.items():
        orphans = [(lost, r) for lost in losses for r in lost.orphans()]
        if not orphans:
            out.append(verdict_for("orphans", key, "pass", "every resource a lost answer made was found again",
                                   [s for lost in losses for s in [lost.attempt.seq,
                                                                   *(a.seq for a in lost.named_by.values())]],
                                   orphans=0, resources=[]))
            continue
        out.append(verdict_for("orphans", key, "fail",
                               f"{len(orphans)} resource(s) made by a lost answer were never named again",
                               [lost.attempt.seq for lost, _ in orphans], orphans=len(orphans),
                               resources=[{"kind": r["kind"], "id": r["id"]} for _, r in orphans]))
    return out
