"""How long after the faults stopped the client was working again.

The faults of a run stop at its last failed attempt, or, when the fault rule that fired had a
window (known from the twin's rule list), when that window closed.
"""

from __future__ import annotations

from ..model import Timeline, Verdict, verdict_for
from ..registry import rule, worst


@rule("recovery")
def judge(timeline: Timeline) -> list[Verdict]:
    options = timeline.options
    windows = timeline.windows
    by_key: dict[tuple, list[tuple[str, float | None, list[int]]]] = {}
    for key, run, following in timeline.failure_runs():
        seqs = [a.seq for a in run]
        if following is None or not following.succeeded:
            # No later success of this operation: the account working again at all counts
            # (a client that found its lost create by listing never creates again).
            following = next((a for a in timeline.after(run[-1]) if a.succeeded), None)
        if following is None:
            by_key.setdefault(key, []).append(("warn", None, seqs))
            continue
        last = run[-1]
        rule_id = (last["fault"] or {}).get("rule") if isinstance(last["fault"], dict) else None
        closed = windows.get(rule_id)
        if closed is not None:
            took = max(0.0, float(following["epoch"]) - closed) / options.time_scale
        else:
            took = timeline.gap(last, following)
        outcome = "pass" if took <= options.recovery_warn_seconds else "warn"
        by_key.setdefault(key, []).append((outcome, took, seqs + [following.seq]))
    out = []
    for key, runs in by_key.items():
        outcome = worst([r[0] for r in runs])
        timed = [r[1] for r in runs if r[1] is not None]
        never = sum(1 for r in runs if r[1] is None)
        slowest = max(timed) if timed else None
        parts = []
        if timed:
            parts.append(f"recovered {len(timed)} time(s), slowest after {slowest:.1f}s")
        if never:
            parts.append(f"{never} failure run(s) never followed by a success")
        out.append(verdict_for("recovery", key, outcome, "; ".join(parts), [s for r in runs for s in r[2]],
                               recovered=len(timed), never=never,
                               slowest_seconds=None if slowest is None else round(slowest, 3)))
    return out
