"""The `cloudtwin` fixture hands out copies of a prebuilt twin: each fully independent of the
last user's changes, and the same for the same seed as a fresh build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cloudtwin.harness import prebuilt
from cloudtwin.harness.handle import TwinHandle
from cloudtwin.harness.runner import Runner, build_twin_target
from cloudtwin.harness.scenario import load

VOLUME = {"name": "v", "size": 1, "region": "NORD-NO-KRS-1"}


def comparable(handle: TwinHandle) -> dict[str, Any]:
    """The exported state but its instants (a fresh build freezes at its own wall-clock instant):
    the id streams, the accounts, every row's id, account and sequence, the pending events."""
    state = handle.export_state()
    store = state["store"]
    return {
        "ids": state["ids"], "faults": state["faults"], "seq": store["seq"], "accounts": store["accounts"],
        "rows": {(provider, kind): [row[:3] for row in rows]
                 for provider, tables in store["tables"].items() for kind, rows in tables.items()},
        "events": [event[1:3] + [{k: v for k, v in event[3].items() if k not in ("due", "at")}]
                   for event in state["scheduler"]],
    }


def dirty(handle: TwinHandle) -> None:
    """Change every kind of state a test can reach."""
    assert handle.request("POST", "genesis", "/volumes", json=VOLUME).status_code == 201
    handle.add_fault(id="flaky", match={"provider": "genesis", "operation": "listVolumes"},
                     action={"type": "error", "status": 503})
    handle.advance("1h")
    handle.twin.retry_marks[("genesis", "default")] = 1.0
    handle.twin.fixtures["genesis"] = {**handle.twin.fixtures["genesis"], "rate_limits": None}
    handle.twin.add_account({"id": "extra"})


def test_a_copy_keeps_nothing_the_previous_user_changed() -> None:
    prebuilt.clear()
    with TwinHandle.prebuilt(["genesis"], seed=3) as first:
        pristine = first.export_state()
        fixtures = dict(first.twin.fixtures)
        dirty(first)
        twin = first.twin
    with TwinHandle.prebuilt(["genesis"], seed=3) as second:
        assert second.twin is twin  # the same prebuilt twin, restored
        assert second.journal() == []
        assert second.export_state() == pristine
        assert second.twin.retry_marks == {}
        assert second.twin.fixtures == fixtures
        assert "extra" not in second.twin.store.accounts
        assert second.request("GET", "genesis", "/volumes").status_code == 200  # the fault is gone


def test_a_copy_draws_the_same_ids_as_a_fresh_build() -> None:
    prebuilt.clear()
    fresh = TwinHandle(["genesis"], seed=11)
    made_fresh = fresh.request("POST", "genesis", "/volumes", json=VOLUME).get_json()
    with TwinHandle.prebuilt(["genesis"], seed=11) as used:
        dirty(used)  # the next copy must not continue this one's id streams
    with TwinHandle.prebuilt(["genesis"], seed=11) as copy:
        made_copy = copy.request("POST", "genesis", "/volumes", json=VOLUME).get_json()
        assert made_copy["volume"]["id"] == made_fresh["volume"]["id"]
        assert comparable(copy) == comparable(fresh)


def test_a_second_user_at_once_gets_its_own_twin() -> None:
    with TwinHandle.prebuilt(["genesis"], seed=5) as first, TwinHandle.prebuilt(["genesis"], seed=5) as second:
        assert first.twin is not second.twin
        first.request("POST", "genesis", "/volumes", json=VOLUME)
        assert second.request("GET", "genesis", "/volumes").get_json()["volumes"] == []


def test_another_seed_reseeds_the_same_build_as_a_fresh_build_would() -> None:
    prebuilt.clear()
    with TwinHandle.prebuilt(["genesis"], seed=12) as other:
        dirty(other)
        twin = other.twin
    fresh = TwinHandle(["genesis"], seed=13)
    with TwinHandle.prebuilt(["genesis"], seed=13) as reseeded:
        assert reseeded.twin is twin  # the build is shared, the state is the seed's own
        assert reseeded.journal() == []
        assert comparable(reseeded) == comparable(fresh)
        assert reseeded.twin.history.last_seq == fresh.twin.history.last_seq
    with TwinHandle.prebuilt(["genesis", "barrack"], seed=13) as wider:
        assert wider.twin is not twin


def test_the_fixture_starts_from_the_built_state(cloudtwin: TwinHandle) -> None:
    # Whatever test used the fixture before this one in this process, this copy is as built.
    assert cloudtwin.journal() == []
    assert comparable(cloudtwin) == comparable(TwinHandle())
    dirty(cloudtwin)  # for whichever test comes next


SCENARIO = """name: make a volume
provider: genesis
seed: 21
steps:
  - request:
      method: POST
      path: /volumes
      body: {name: v, size: 1, region: NORD-NO-KRS-1}
    expect:
      status: 201
  - advance: 1h
"""


def test_replays_share_the_build_not_the_state(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    scenario = load(path)
    first = build_twin_target(scenario)
    assert Runner(scenario, first).run().passed
    twin, journal = first.twin, len(first.twin.journal.query({}, limit=0))
    second = build_twin_target(scenario)  # the first is still open: a build of its own
    assert second.twin is not twin
    first.close()
    second.close()
    third = build_twin_target(scenario)
    assert third.twin is twin and third.twin.journal.query({}, limit=0) == []
    result = Runner(scenario, third).run()
    assert result.passed and len(third.twin.journal.query({}, limit=0)) == journal
    third.close()


OVERRIDDEN = """name: an instance that fails to boot
provider: genesis
seed: {seed}
setup:
  fixtures: {fixtures}
steps:
  - request:
      method: POST
      path: /instances
      body: {{name: w, hostname: w, type: vcpu-2_memory-4g, image: ubuntu-22.04, region: NORD-NO-KRS-1}}
    expect: {{status: 201}}
  - advance: 2m
"""
BOOT_FAILS = {"genesis": {"lifecycles": {"instance": {"creating": {"after": "60s", "then": "failed"}}},
                          "rate_limits": {"enabled": True}}}


def test_fixture_overrides_are_a_state_of_the_shared_build_as_a_fresh_build_would_give(tmp_path: Path) -> None:
    from cloudtwin.app import build_twin

    prebuilt.clear()
    targets = {}
    for name, seed, fixtures in (("plain", 31, {}), ("fails", 32, BOOT_FAILS), ("plain-again", 33, {})):
        path = tmp_path / f"{name}.yaml"
        path.write_text(OVERRIDDEN.format(seed=seed, fixtures=fixtures))
        scenario = load(path)
        target = build_twin_target(scenario)
        fresh = build_twin(seed=seed, overrides=fixtures)
        fresh.clock.freeze()
        # as built with these overrides: the state, the fixtures and what they give
        assert comparable(target.twin) == comparable(fresh)
        assert target.twin.fixtures == fresh.fixtures and target.twin.base_fixtures == fresh.base_fixtures
        assert target.twin.fault_targets == fresh.fault_targets
        assert target.twin.resource_kinds._kinds == fresh.resource_kinds._kinds
        assert target.twin.rate_limiters.keys() == fresh.rate_limiters.keys()
        result = Runner(scenario, target).run()
        assert result.passed, [s.detail for s in result.steps]
        status = next(iter(target.twin.store.table("genesis", "instance").rows())).data["status"]
        assert status == ("failed" if fixtures else "active")
        targets[name] = (target.twin, target.app)
        target.close()
    assert len({id(twin) for twin, _ in targets.values()}) == 1  # one build, one app for all three
    assert len({id(app) for _, app in targets.values()}) == 1


def test_a_state_is_remembered_the_second_time_it_is_asked_for() -> None:
    prebuilt.clear()
    fresh = TwinHandle(["genesis"], seed=42)
    with TwinHandle.prebuilt(["genesis"], seed=41):
        pass  # the build, remembered at once
    (entry,) = prebuilt._cache.values()
    for ask in range(3):
        with TwinHandle.prebuilt(["genesis"], seed=42) as copy:
            assert comparable(copy) == comparable(fresh)
            dirty(copy)
        # asked once: set up, not snapshotted (a folder of scenarios asks for each seed once)
        assert len(entry.states) == (1 if ask == 0 else 2)
