"""The side-by-side comparison on its own: what is reported, and what volatility hides."""

from __future__ import annotations

from cloudtwin.app import build_twin
from cloudtwin.harness.runner import ScenarioResult, StepResult
from cloudtwin.harness.scenario import Scenario, Step
from cloudtwin.recording import operations
from cloudtwin.recording.compare import Volatility, compare

GET = Step(1, 1, "request", {"request": {"method": "GET", "path": "/instances/${id}"}})
WAIT = Step(2, 2, "wait_until", {"wait_until": {"request": {"method": "GET", "path": "/instances/${id}"},
                                                "expect": {"body": {"instance.status": "active"}}}})


def result(body: dict, status: int = 200, waited: float = 0.0) -> ScenarioResult:
    exchange = {"request": {"method": "GET", "url": "/genesis/compute/v1/instances/abc"},
                "response": {"status": status, "body": body}}
    steps = [StepResult(GET, "passed", 1.0, 0.0, "", [], exchange),
             StepResult(WAIT, "passed", 1.0, waited, "", [], exchange)]
    return ScenarioResult(Scenario(None, "s", "genesis", "", 0, [], {}, {}, [GET, WAIT]), steps)  # type: ignore[arg-type]


def findings(twin: ScenarioResult, real: ScenarioResult, learned: set[str] | None) -> list[dict]:
    twin_ = build_twin(["genesis"])
    index = operations.for_provider(twin_, "genesis")
    volatility = Volatility(index, {("GET", "/instances/{instance_id}"): learned} if learned is not None else None)
    lifecycles = twin_.fixtures["genesis"]["lifecycles"]
    return [f for step in compare(twin, real, volatility, lifecycles) for f in step["findings"]]


def test_fields_missing_extra_and_enum_values_are_reported():
    twin = result({"instance": {"name": "a", "status": "active", "only_twin": 1}})
    real = result({"instance": {"name": "a", "status": "enqueued", "only_real": True}})
    found = {(f["kind"], f.get("field")) for f in findings(twin, real, set())}
    assert ("missing", "$.instance.only_real") in found and ("extra", "$.instance.only_twin") in found
    assert ("enum", "$.instance.status") in found  # the spec declares status an enum


def test_what_differed_between_recordings_is_never_drift():
    twin = result({"instance": {"name": "a", "hostname": "h-1"}})
    real = result({"instance": {"name": "a", "hostname": "h-2"}})
    assert [f["field"] for f in findings(twin, real, set())] == ["$.instance.hostname"] * 2
    assert findings(twin, real, {"$.instance.hostname"}) == []


def test_instants_the_spec_calls_date_time_are_never_drift():
    twin = result({"instance": {"created_at": "2024-03-19T16:08:40.235Z"}})
    real = result({"instance": {"created_at": "2026-12-05T16:05:42.159Z"}})
    assert findings(twin, real, set()) == []  # not learned as volatile, but `format: date-time`


def test_a_wait_is_named_by_the_lifecycle_state_it_waited_out():
    twin, real = result({}, waited=60.0), result({}, waited=3.0)
    (timing,) = [f for f in findings(twin, real, set()) if f["kind"] == "timing"]
    assert timing["lifecycle"] == "instance.creating" and (timing["twin_s"], timing["endpoint_s"]) == (60.0, 3.0)


def test_a_different_status_says_only_that():
    found = findings(result({"a": 1}), result({"b": 2}, status=404), set())
    assert [f["kind"] for f in found] == ["status", "status"]
