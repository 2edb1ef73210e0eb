"""The history ring: bounded by its capacity, not by the store; numbered on across resets."""

from __future__ import annotations

from cloudtwin.engine.history import History
from cloudtwin.engine.store import Row


def _history(capacity: int, after_seq: int = 0) -> History:
    return History({("p", "thing")}, lambda: 100.0, lambda provider, row: row.data.get("status"),
                   lambda provider, row: row.id, capacity=capacity, after_seq=after_seq)


def test_the_ring_drops_the_oldest_changes_and_their_index_with_them() -> None:
    history = _history(capacity=3)
    first, second = Row("a", "thing", "acct", 1, {"status": "new"}), Row("b", "thing", "acct", 2, {"status": "new"})
    history.created("p", first)
    history.changed("p", first, "new", "ready", 110.0)
    history.created("p", second)
    history.changed("p", second, "new", "ready", 120.0)  # the ring is full: a's creation goes
    assert [h["state"] for h in history.of("p", "acct", "thing", "a")] == ["ready"]
    history.removed("p", first)  # the ring: a ready, b created, a removed
    history.changed("p", second, "ready", "busy", 130.0)
    history.changed("p", second, "busy", "ready", 140.0)
    assert [h["state"] for h in history.of("p", "acct", "thing", "a")] == [None]  # outlives the row
    history.changed("p", second, "ready", "busy", 150.0)
    assert history.of("p", "acct", "thing", "a") == [] and len(history._by_key) == 1
    assert history.last_seq == 8
    assert [c["seq"] for c in history.query({}, since=0)] == [6, 7, 8]
    assert [c["to"] for c in history.query({"id": "b"}, since=6)] == ["ready", "busy"]


def test_untracked_kinds_are_not_recorded_and_a_new_history_numbers_on() -> None:
    history = _history(capacity=10, after_seq=41)
    history.created("p", Row("x", "secret", "acct", 1, {}))
    assert history.last_seq == 41 and history.query({}) == []
    history.created("p", Row("y", "thing", "acct", 2, {"status": "new"}))
    assert [c["seq"] for c in history.query({}, since=41)] == [42]
