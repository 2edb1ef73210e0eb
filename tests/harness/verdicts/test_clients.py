"""Good and bad clients each get the verdicts they deserve, duplicates and cost counted exactly."""

from __future__ import annotations

import pytest

from cloudtwin.harness.handle import TwinHandle
from cloudtwin.harness.verdicts import judge
from resilient_clients import (BLIND_CREATE_RETRIES, DOES_IT_RIGHT, IGNORES_RETRY_AFTER, NO_BACKOFF, Client,
                               InProcess)

from workload import FLAVOUR, prepare, run


def outcomes(report, **where):  # type: ignore[no-untyped-def]
    return {(v.rule, v.operation): v.outcome for v in report.verdicts
            if all(getattr(v, k) == value for k, value in where.items())}


def play(policy):  # type: ignore[no-untyped-def]
    handle = TwinHandle(["barrack"], seed=26)
    key = prepare(handle)
    client = Client(InProcess(handle), policy, sleep=handle.advance, seed=7)
    run(client, key)
    return handle, judge(handle.journal(limit=10000))


def test_the_client_that_does_it_right_passes_every_rule() -> None:
    _, report = play(DOES_IT_RIGHT)
    assert outcomes(report) == {
        ("retry_after", "listInstances"): "pass",
        ("backoff", "getInstance"): "pass",
        ("bounded", "createInstance"): "pass", ("bounded", "listInstances"): "pass",
        ("bounded", "getInstance"): "pass",
        ("duplicates", "createInstance"): "pass", ("orphans", "createInstance"): "pass",
        ("recovery", "createInstance"): "pass", ("recovery", "listInstances"): "pass",
        ("recovery", "getInstance"): "pass",
    }
    assert report.outcome == "pass"


def test_a_client_that_ignores_retry_after_fails_that_rule_with_the_early_requests_as_evidence() -> None:
    handle, report = play(IGNORES_RETRY_AFTER)
    [verdict] = report.select("retry_after")
    assert verdict.outcome == "fail"
    # Its first back-off (30-45 s) is shorter than Retry-After (60 s); the second (60-90 s) is not.
    entries = handle.journal(limit=10000)
    first_throttle = next(e["seq"] for e in entries if e.get("status") == 429)
    came_back = next(e["seq"] for e in entries if e["seq"] > first_throttle and e["provider"] == "barrack")
    assert verdict.evidence == [first_throttle, came_back]
    assert verdict.figures["early"] == 1 and verdict.figures["checked"] == 2
    assert outcomes(report)[("backoff", "getInstance")] == "pass"


def test_a_client_without_backoff_fails_the_backoff_rule() -> None:
    _, report = play(NO_BACKOFF)
    [verdict] = report.select("backoff")
    assert verdict.outcome == "fail" and verdict.operation == "getInstance"
    assert verdict.figures["waits"] == [1.0, 1.0, 1.0, 1.0]
    assert outcomes(report)[("retry_after", "listInstances")] == "pass"  # it does wait out a 429


def test_blind_create_retries_duplicate_exactly_one_instance_and_its_disk_and_the_cost_is_exact() -> None:
    handle, report = play(BLIND_CREATE_RETRIES)
    entries = handle.journal(limit=10000)
    lost = next(e for e in entries if e["operation"] == "createInstance" and e.get("fault"))
    retry = next(e for e in entries if e["operation"] == "createInstance" and e["seq"] > lost["seq"])
    [duplicates] = report.select("duplicates")
    assert duplicates.outcome == "fail" and duplicates.figures["duplicates"] == 1
    assert duplicates.evidence == [lost["seq"], retry["seq"]]
    assert {r["kind"] for r in duplicates.figures["resources"]} == {"instance", "volume"}
    [orphans] = report.select("orphans")
    assert orphans.outcome == "fail" and orphans.figures["orphans"] == 2  # the instance and its boot disk
    # The cost, from the fixtures' own prices: one H200 GPU plus a 100 GB NVMe boot disk, per hour,
    # from the lost deploy to the journal's last request.
    fixtures = handle.twin.fixtures["barrack"]
    gpu = fixtures["gpus"]["models"][FLAVOUR["gpu_model"]]["prices"]["USD"] * FLAVOUR["gpu_count"]
    disk = fixtures["prices"]["storage"]["NVMe"]["USD"] * 100 / fixtures["prices"]["gb_per_tb"]
    hours = (entries[-1]["epoch"] - lost["epoch"]) / 3600
    assert hours > 600 / 3600  # the client paused ten minutes before its last listing
    [cost] = report.select("cost")
    assert cost.outcome == "fail"
    assert cost.figures["costs"]["USD"]["resources"] == 2
    assert cost.figures["costs"]["USD"]["per_hour"] == pytest.approx(gpu + disk, abs=1e-6)
    assert cost.figures["costs"]["USD"]["accrued"] == pytest.approx((gpu + disk) * hours, abs=1e-6)


def test_a_client_that_never_stops_fails_the_bound() -> None:
    handle = TwinHandle(["barrack"], seed=26)
    handle.add_fault(match={"provider": "barrack", "operation": "listInstances"},
                     action={"type": "error", "status": 503})
    client = Client(InProcess(handle), NO_BACKOFF, sleep=handle.advance)
    with pytest.raises(Exception):
        client.call("GET", "/instances/")
    [verdict] = judge(handle.journal(limit=10000)).select("bounded")
    assert verdict.outcome == "fail" and verdict.figures["attempts"] == 30


def test_two_accounts_retrying_in_lockstep_get_a_jitter_warning_and_jittered_ones_pass() -> None:
    for jitter, expected in ((False, "warn"), (True, "pass")):
        handle = TwinHandle(["barrack"], seed=26)
        policy = DOES_IT_RIGHT.__class__(jitter=jitter)
        for index, account in enumerate(("default", "other")):  # both accounts are in the fixtures
            handle.add_fault(match={"provider": "barrack", "operation": "listInstances", "account": account},
                             schedule={"mode": "first", "n": 3}, action={"type": "error", "status": 503})
            Client(InProcess(handle, account=account), policy, sleep=handle.advance, seed=index).call(
                "GET", "/instances/")
        [verdict] = judge(handle.journal(limit=10000)).select("jitter")
        assert verdict.outcome == expected, verdict
