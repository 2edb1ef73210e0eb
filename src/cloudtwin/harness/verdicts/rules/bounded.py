"""A client stops retrying after a bounded number of attempts and a bounded time."""

from __future__ import annotations

from ..model import Timeline, Verdict, verdict_for
from ..registry import rule


@rule("bounded")
def judge(timeline: Timeline) -> list[Verdict]:
    options = timeline.options
    by_key: dict[tuple, list[tuple[int, float, bool, list[int]]]] = {}
    for key, run, following in timeline.failure_runs():
        span = timeline.gap(run[0], run[-1])
        by_key.setdefault(key, []).append((len(run), span, following is not None, [a.seq for a in run]))
    out = []
    for key, runs in by_key.items():
        longest = max(runs, key=lambda r: (r[0], r[1]))
        attempts, span, recovered, seqs = longest
        over = attempts > options.max_attempts or span > options.max_retry_seconds
        ending = "then succeeded" if recovered else "then stopped"
        if over:
            message = (f"{attempts} failed attempts over {span:.0f}s {ending} "
                       f"(bound: {options.max_attempts} attempts, {options.max_retry_seconds:g}s)")
        else:
            message = f"at most {attempts} failed attempts in a row over {span:.0f}s, {ending}"
        out.append(verdict_for("bounded", key, "fail" if over else "pass", message, seqs,
                               attempts=attempts, seconds=round(span, 3), runs=len(runs)))
    return out
