"""Every state a resource went through, on virtual time: for timelines and a resource's page.

One ring of the latest changes across the twin (creations, lifecycle state changes, removals),
numbered by `seq` for `since=` polling, and an index from each resource to its changes still in
the ring. Both are bounded by the ring's capacity, not by the store: a twin holding 100,000
resources pays nothing per resource, and a resource's history outlives the resource until its
changes are the oldest in the ring. Rows themselves carry nothing, so exports are unchanged.

Only the kinds a provider declares as resources (`x-cloudtwin.resources`) are recorded: the
engine's bookkeeping rows (tokens, stock counters, secrets) are nobody's timeline.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from typing import Any, Callable, Container, Mapping

from .clock import iso
from .store import Row

LOG_CAPACITY = 50_000  # changes kept, across the twin

# A resource: (provider, account, kind, id), one tuple shared by all its entries.
Key = tuple[str, str, str, str]
# An entry: (at, key, state before, state after); before None: created, after None: removed.
Entry = tuple[float, Key, "str | None", "str | None"]
_FIELDS = {"provider": 0, "account": 1, "kind": 2, "id": 3}


class History:
    """The twin's record of resource state changes. Writers hold the twin's lock (they change
    rows); readers may come from any thread, hence a small lock of its own."""

    def __init__(self, tracked: Container[tuple[str, str]], now: Callable[[], float],
                 state_of: Callable[[str, Row], str | None], id_of: Callable[[str, Row], str],
                 capacity: int = LOG_CAPACITY, after_seq: int = 0) -> None:
        self._tracked = tracked
        self._now = now
        self._state_of = state_of
        self._id_of = id_of
        self._capacity = capacity
        self._log: deque[Entry] = deque()
        # The seq of the oldest entry in the ring; a new history (a reset) numbers on from the last,
        # so a client polling with `since` sees what follows instead of waiting for old numbers.
        self._first_seq = after_seq + 1
        self._by_key: dict[Key, deque[Entry]] = {}
        self._lock = threading.Lock()

    # Recording (from the store and the lifecycles) -------------------------------------
    def created(self, provider: str, row: Row) -> None:
        if (provider, row.kind) in self._tracked:
            self._record(provider, row, None, self._state_of(provider, row), self._now())

    def changed(self, provider: str, row: Row, before: str | None, after: str, at: float) -> None:
        if (provider, row.kind) not in self._tracked:
            return
        if before == after:
            own = self._by_key.get(self._key(provider, row))
            if own and own[-1][0] == at and own[-1][3] == after:
                return  # created in the state it then formally enters: one change, not two
        self._record(provider, row, before, after, at)

    def removed(self, provider: str, row: Row) -> None:
        if (provider, row.kind) in self._tracked:
            self._record(provider, row, self._state_of(provider, row), None, self._now())

    def _key(self, provider: str, row: Row) -> Key:
        return (provider, row.account, row.kind, self._id_of(provider, row))

    def _record(self, provider: str, row: Row, before: str | None, after: str | None, at: float) -> None:
        key = self._key(provider, row)
        with self._lock:
            own = self._by_key.get(key)
            if own is None:
                own = self._by_key[key] = deque()
            else:
                key = own[0][1]  # share the first entry's key tuple
            entry: Entry = (at, key, before, after)
            self._log.append(entry)
            own.append(entry)
            if len(self._log) > self._capacity:
                oldest = self._log.popleft()
                self._first_seq += 1
                gone = self._by_key[oldest[1]]
                gone.popleft()  # a resource's oldest entry is the ring's oldest of it
                if not gone:
                    del self._by_key[oldest[1]]

    # Reading -----------------------------------------------------------------------------
    @property
    def last_seq(self) -> int:
        return self._first_seq + len(self._log) - 1

    def of(self, provider: str, account: str | None, kind: str, resource_id: str) -> list[dict[str, Any]]:
        """A resource's changes still kept, oldest first (any account when `account` is None)."""
        with self._lock:
            if account is not None:
                entries = list(self._by_key.get((provider, account, kind, resource_id), ()))
            else:
                entries = [e for key, own in self._by_key.items()
                           if key[0] == provider and key[2] == kind and key[3] == resource_id for e in own]
        return [{"at": iso(at), "epoch": at, "state": after} for at, _, _, after in sorted(entries, key=lambda e: e[0])]

    def query(self, filters: Mapping[str, Any], since: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """Changes after `since`, oldest first, matching every given field; at most `limit`."""
        wanted = [(_FIELDS[k], v) for k, v in filters.items() if v not in (None, "")]
        with self._lock:
            skip = max(0, since - self._first_seq + 1)
            out: list[dict[str, Any]] = []
            for offset, entry in enumerate(itertools.islice(self._log, skip, None), start=self._first_seq + skip):
                key = entry[1]
                if all(key[i] == v for i, v in wanted):
                    out.append(_change(offset, entry))
                    if len(out) >= limit:
                        break
            return out


def _change(seq: int, entry: Entry) -> dict[str, Any]:
    at, (provider, account, kind, resource_id), before, after = entry
    return {"seq": seq, "at": iso(at), "epoch": at, "provider": provider, "account": account, "kind": kind,
            "id": resource_id, "from": before, "to": after}
