"""The scheduler's reads for the dashboard: due order from the heap's root, events per resource."""

from __future__ import annotations

import random

from cloudtwin.engine.lifecycle import Scheduler


def _payload(n: int) -> dict:
    return {"provider": "p", "kind": "thing", "id": f"r{n % 7}", "n": n}


def test_earliest_yields_the_live_events_in_due_order() -> None:
    scheduler = Scheduler()
    rng = random.Random(5)
    for n in range(300):
        scheduler.at(rng.uniform(0, 1000), "lifecycle" if n % 2 else "p:timer", _payload(n))
    scheduler.cancel("p:timer")
    expected = sorted(scheduler.live())
    assert list(scheduler.earliest(10)) == expected  # lazily, the whole queue in order
    assert [e.payload["n"] % 2 for e in expected] == [1] * 150


def test_events_concerning_a_resource_follow_adds_cancels_pops_and_restores() -> None:
    scheduler = Scheduler()
    for n in range(21):
        scheduler.at(float(n), "lifecycle", _payload(n))
    scheduler.at(5.5, "p:timer", {"account": "a"})  # names no resource: never listed
    assert [e.payload["n"] for e in scheduler.concerning("p", "thing", "r3")] == [3, 10, 17]
    scheduler.cancel("lifecycle", id="r3", n=10)
    assert [e.payload["n"] for e in scheduler.concerning("p", "thing", "r3")] == [3, 17]
    while scheduler.pop_due(9.0) is not None:
        pass
    assert [e.payload["n"] for e in scheduler.concerning("p", "thing", "r3")] == [17]
    restored = Scheduler()
    restored.restore(scheduler.export())
    assert [e.payload["n"] for e in restored.concerning("p", "thing", "r3")] == [17]
    assert restored.concerning("p", "thing", "nothing") == []
