"""Every state a resource went through, on virtual time: for timelines and a resource's page.

Two views of the same changes, both bounded so that a twin holding 100,000 resources stays
cheap:
- per resource, its own recent changes ride in the row's `meta` (packed with the row at rest,
  so they cost a few bytes per resource), and move to a bounded graveyard when the row goes;
- across the twin, a ring of the latest changes numbered by `seq`, for `since=` polling.

Only the kinds a provider declares as resources (`x-cloudtwin.resources`) are recorded: the
engine's bookkeeping rows (tokens, stock counters, secrets) are nobody's timeline.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict, deque
from typing import Any, Callable, Container, Iterator, Mapping, NamedTuple

from .clock import iso
from .store import Row

META_KEY = "history"
PER_RESOURCE = 32  # a resource's own changes kept; the oldest go first
REMOVED_KEPT = 10_000  # removed resources whose history stays readable
LOG_CAPACITY = 50_000  # changes across the twin kept for /_twin/history


class Change(NamedTuple):
    seq: int
    at: float
    provider: str
    account: str
    kind: str
    id: str  # the id the provider shows (the store's key may differ, e.g. region/id)
    before: str | None  # None: the resource was created
    after: str | None  # None: the resource was removed

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": iso(self.at), "epoch": self.at, "provider": self.provider,
                "account": self.account, "kind": self.kind, "id": self.id, "from": self.before, "to": self.after}


class History:
    """The twin's record of resource state changes. Callers hold the twin's lock when they change
    rows; readers may come from any thread, hence the small lock of its own."""

    def __init__(self, tracked: Container[tuple[str, str]], now: Callable[[], float],
                 state_of: Callable[[str, Row], str | None], id_of: Callable[[str, Row], str],
                 capacity: int = LOG_CAPACITY) -> None:
        self._tracked = tracked
        self._id_of = id_of
        self._now = now
        self._state_of = state_of
        self._log: deque[Change] = deque(maxlen=capacity)
        self._removed: OrderedDict[tuple[str, str, str], list[list[Any]]] = OrderedDict()
        self._seq = itertools.count(1)
        self._last_seq = 0
        self._lock = threading.Lock()

    def tracks(self, provider: str, kind: str) -> bool:
        return (provider, kind) in self._tracked

    # Recording (from the store and the lifecycles) -------------------------------------
    def created(self, provider: str, row: Row) -> None:
        if self.tracks(provider, row.kind):
            self._record(provider, row, None, self._state_of(provider, row), self._now())

    def changed(self, provider: str, row: Row, before: str | None, after: str, at: float) -> None:
        if not self.tracks(provider, row.kind):
            return
        own = row.meta.get(META_KEY)
        if before == after and own and own[-1] == [at, after]:
            return  # created in the state it then formally enters: one change, not two
        self._record(provider, row, before, after, at)

    def removed(self, provider: str, row: Row) -> None:
        if not self.tracks(provider, row.kind):
            return
        at = self._now()
        before = self._state_of(provider, row)
        self._record(provider, row, before, None, at)
        with self._lock:
            self._removed[(provider, row.kind, row.id)] = list(row.meta_field(META_KEY) or [])
            while len(self._removed) > REMOVED_KEPT:
                self._removed.popitem(last=False)

    def _record(self, provider: str, row: Row, before: str | None, after: str | None, at: float) -> None:
        own = row.meta.setdefault(META_KEY, [])
        own.append([at, after])
        if len(own) > PER_RESOURCE:
            del own[: len(own) - PER_RESOURCE]
        with self._lock:
            seq = next(self._seq)
            self._last_seq = seq
            self._log.append(Change(seq, at, provider, row.account, row.kind, self._id_of(provider, row),
                                    before, after))

    # Reading -----------------------------------------------------------------------------
    @property
    def last_seq(self) -> int:
        return self._last_seq

    def of(self, provider: str, kind: str, row: Row | None, row_id: str) -> list[dict[str, Any]] | None:
        """A resource's own changes, oldest first; None when neither it nor its past is known."""
        if row is not None:
            pairs = row.meta_field(META_KEY) or []
        else:
            with self._lock:
                pairs = self._removed.get((provider, kind, row_id))
            if pairs is None:
                return None
        return [{"at": iso(at), "epoch": at, "state": state} for at, state in pairs]

    def query(self, filters: Mapping[str, Any], since: int = 0, limit: int = 100) -> list[Change]:
        """Changes after `since`, oldest first, matching every given field; at most `limit`."""
        wanted = [(Change._fields.index(key), value) for key, value in filters.items() if value not in (None, "")]
        with self._lock:
            log = self._log
            skip = 0 if not log else max(0, since - log[0].seq + 1)
            candidates: Iterator[Change] = itertools.islice(log, skip, None)
            out: list[Change] = []
            for change in candidates:
                if change.seq <= since:
                    continue
                if all(change[i] == value for i, value in wanted):
                    out.append(change)
                    if len(out) >= limit:
                        break
            return out
