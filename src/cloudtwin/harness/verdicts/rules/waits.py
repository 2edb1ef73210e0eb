"""The waits a client chose between failed attempts (not the ones a Retry-After dictated)."""

from __future__ import annotations

from ..model import Attempt, Timeline


def chosen_waits(timeline: Timeline, run: list[Attempt], following: Attempt | None) -> list[float]:
    chain = run + ([following] if following is not None else [])
    return [timeline.gap(a, b) for a, b in zip(chain, chain[1:]) if a.retry_after is None]
