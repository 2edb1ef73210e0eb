"""After a 429 (or a 503 with Retry-After) the account's next request waits at least that long."""

from __future__ import annotations

from ..model import Timeline, Verdict, verdict_for
from ..registry import rule


@rule("retry_after")
def judge(timeline: Timeline) -> list[Verdict]:
    found: dict[tuple, dict] = {}
    tolerance = timeline.options.tolerance
    for attempt in timeline.attempts:
        wanted = attempt.retry_after
        if wanted is None or int(attempt["status"] or 0) not in (429, 503):
            continue
        later = timeline.after(attempt)
        if not later:
            continue
        waited = timeline.gap(attempt, later[0])
        seen = found.setdefault(attempt.key, {"checked": 0, "early": [], "shortest": None})
        seen["checked"] += 1
        seen["shortest"] = waited if seen["shortest"] is None else min(seen["shortest"], waited)
        if waited + tolerance < wanted:
            seen["early"].append((attempt.seq, later[0].seq, waited, wanted))
    out = []
    for key, seen in found.items():
        if seen["early"]:
            first = seen["early"][0]
            out.append(verdict_for(
                "retry_after", key, "fail",
                f"came back {len(seen['early'])} of {seen['checked']} times before Retry-After "
                f"(e.g. after {first[2]:.2f}s of {first[3]:g}s)",
                [s for pair in seen["early"] for s in pair[:2]], checked=seen["checked"],
                early=len(seen["early"]), shortest_wait=round(seen["shortest"], 3)))
        else:
            out.append(verdict_for("retry_after", key, "pass",
                                   f"waited out Retry-After all {seen['checked']} times", [],
                                   checked=seen["checked"], early=0, shortest_wait=round(seen["shortest"], 3)))
    return out
