"""Resources a lost answer left behind: the facts duplicates, orphans and cost are judged on.

A create whose answer was lost (reset, empty reply, … after the handler ran) made resources
the client never learned of. If the client then sent the same create again and it made new
resources before naming the first ones anywhere, the first ones are duplicates. If no later
request of the account ever names any of them, they are orphans (what one call made goes
together: naming the instance finds its boot disk too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..model import Attempt, Timeline


@dataclass
class LostCreate:
    attempt: Attempt
    resources: list[Mapping[str, Any]]
    retried_by: Attempt | None = None  # the create that made the same thing again
    named_by: dict[str, Attempt] = field(default_factory=dict)  # resource id -> first later request naming it

    @property
    def duplicated(self) -> bool:
        return self.retried_by is not None

    @property
    def found(self) -> bool:
        """The client named one of what the call made: the rest (a boot disk, …) came with it."""
        return bool(self.named_by)

    def orphans(self) -> list[Mapping[str, Any]]:
        return [] if self.found else list(self.resources)


def lost_creates(timeline: Timeline) -> list[LostCreate]:
    found = []
    for key, attempts in timeline.sequences():
        for index, attempt in enumerate(attempts):
            if not (attempt.answer_lost and attempt.handler_ran and attempt.created and attempt["method"] == "POST"):
                continue
            lost = LostCreate(attempt, attempt.created)
            later = timeline.after(attempt)
            for resource in lost.resources:
                naming = next((a for a in later if a.mentions(str(resource["kind"]), str(resource["id"]))), None)
                if naming is not None:
                    lost.named_by[str(resource["id"])] = naming
            retry = next((a for a in attempts[index + 1:]), None)
            if retry is not None and retry.handler_ran and retry.created:
                first_named = min((a.seq for a in lost.named_by.values()), default=None)
                if first_named is None or first_named > retry.seq:
                    lost.retried_by = retry
            found.append(lost)
    return found


def wasted(timeline: Timeline) -> list[tuple[LostCreate, Mapping[str, Any]]]:
    """Each resource that is a duplicate or an orphan, once."""
    out = []
    for lost in lost_creates(timeline):
        orphaned = {str(r["id"]) for r in lost.orphans()}
        for resource in lost.resources:
            if lost.duplicated or str(resource["id"]) in orphaned:
                out.append((lost, resource))
    return out
