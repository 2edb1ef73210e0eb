"""Everything a twin holds that a reset, an export or an import replaces, as one object.

The twin keeps what it is (providers, specs, base fixtures, seed, lock); its state is one
`TwinState` that `Twin.reset` and `Twin.import_state` build aside and swap in whole, so no
part of an old state (journal, retry marks, rate-limit buckets) outlives its world.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from .clock import Clock
from .faults import FaultEngine
from .ids import Ids
from .journal import Journal
from .lifecycle import Lifecycles, Scheduler
from .ratelimit import RateLimiter
from .state_document import STATE_FORMAT, STATE_VERSION
from .store import Store

RetryMarks = dict[tuple[str, str | None], float]  # (provider, account) -> instant before which a retry is early


@dataclass
class TwinState:
    clock: Clock
    ids: Ids  # seeded id streams; the fault engine draws from them too
    store: Store
    scheduler: Scheduler  # due lifecycle steps and provider timers, on the virtual clock
    faults: FaultEngine
    # Per provider: the fixtures this state runs on (the control plane may change its rate limits),
    # its lifecycles (state machines on `scheduler`) and its rate-limit buckets.
    fixtures: dict[str, Any]
    lifecycles: dict[str, Lifecycles] = field(default_factory=dict)
    rate_limiters: dict[str, RateLimiter] = field(default_factory=dict)
    journal: Journal = field(default_factory=Journal)
    retry_marks: RetryMarks = field(default_factory=dict)

    def export(self, providers: Iterable[str]) -> dict[str, Any]:
        """The document `Twin.import_state` takes back (state_document.py checks its shape).
        Journal, retry marks and rate-limit buckets are not part of it: an import starts them anew."""
        return {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "providers": sorted(providers),
            "clock": self.clock.export(),
            "ids": self.ids.export(),
            "store": self.store.export(),
            "scheduler": self.scheduler.export(),
            "faults": self.faults.export(),
        }
