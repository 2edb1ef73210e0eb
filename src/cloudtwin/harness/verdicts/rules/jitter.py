"""When several accounts retry the same operation, their waits differ (no thundering herd)."""

from __future__ import annotations

from ..model import Timeline, Verdict, verdict_for
from ..registry import rule
from .waits import chosen_waits

SAME = 0.01  # waits within 1 % of each other are the same wait


@rule("jitter")
def judge(timeline: Timeline) -> list[Verdict]:
    per_operation: dict[tuple, dict[str | None, tuple[list[float], list[int]]]] = {}
    for (provider, account, operation), run, following in timeline.failure_runs():
        waits = chosen_waits(timeline, run, following)
        if not waits:
            continue
        seen = per_operation.setdefault((provider, None, operation), {})
        old_waits, old_seqs = seen.get(account, ([], []))
        seen[account] = (old_waits + waits, old_seqs + [a.seq for a in run])
    out = []
    for key, accounts in per_operation.items():
        if len(accounts) < 2:
            continue
        series = list(accounts.values())
        lockstep = all(_same(series[0][0], other[0]) for other in series[1:])
        evidence = [s for _, seqs in series for s in seqs]
        if lockstep:
            out.append(verdict_for("jitter", key, "warn",
                                   f"{len(accounts)} accounts retried with identical waits: no jitter",
                                   evidence, accounts=len(accounts)))
        else:
            out.append(verdict_for("jitter", key, "pass", f"{len(accounts)} accounts retried with different waits",
                                   evidence, accounts=len(accounts)))
    return out


def _same(a: list[float], b: list[float]) -> bool:
    pairs = list(zip(a, b))
    return bool(pairs) and all(abs(x - y) <= SAME * max(x, y, 1e-3) for x, y in pairs)
