"""Between consecutive failures of one operation, the client's waits grow."""

from __future__ import annotations

from ..model import Timeline, Verdict, verdict_for
from ..registry import rule, worst
from .waits import chosen_waits

FLAT = 1.2  # below this growth the waits are constant (or shrinking): no backoff at all


@rule("backoff")
def judge(timeline: Timeline) -> list[Verdict]:
    needed = timeline.options.min_growth
    by_key: dict[tuple, list[tuple[str, float, list[float], list[int]]]] = {}
    for key, run, following in timeline.failure_runs():
        waits = chosen_waits(timeline, run, following)
        if len(waits) < 2:
            continue
        half = len(waits) // 2
        early = sum(waits[:half]) / half
        late = sum(waits[half:]) / (len(waits) - half)
        growth = late / max(early, 1e-3)
        outcome = "pass" if growth >= needed else "warn" if growth >= FLAT else "fail"
        seqs = [a.seq for a in run] + ([following.seq] if following is not None else [])
        by_key.setdefault(key, []).append((outcome, growth, waits, seqs))
    out = []
    for key, runs in by_key.items():
        outcome = worst([r[0] for r in runs])
        chosen = min(runs, key=lambda r: r[1])
        waits_text = ", ".join(f"{w:.2f}" for w in chosen[2][:6]) + ("…" if len(chosen[2]) > 6 else "")
        message = {"pass": "waits grow between failures", "warn": "waits grow, but slowly",
                   "fail": "waits do not grow between failures"}[outcome]
        out.append(verdict_for("backoff", key, outcome, f"{message} (waits {waits_text}s)", chosen[3],
                               runs=len(runs), growth=round(chosen[1], 3),
                               waits=[round(w, 3) for w in chosen[2]]))
    return out
