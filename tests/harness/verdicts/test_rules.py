"""Each rule on small hand-written journals: the edges the client tests do not reach."""

from __future__ import annotations

from pathlib import Path

from cloudtwin.cli import main
from cloudtwin.harness.verdicts import Options, judge

SCENARIO = Path(__file__).parents[3] / "scenarios" / "barrack" / "lost-deploy-answer-duplicates-an-instance.yaml"


def entry(seq: int, epoch: float, status: int, *, operation: str = "listThings", account: str = "a",
          **extra) -> dict:  # type: ignore[no-untyped-def]
    return {"seq": seq, "provider": "p", "account": account, "operation": operation, "method": "GET",
            "path": "/things", "epoch": epoch, "wall": 0.0, "status": status, **extra}


def test_a_503_with_retry_after_is_honoured_like_a_429() -> None:
    early = judge([entry(1, 0, 503, retry_after="30"), entry(2, 10, 200)]).select("retry_after")
    patient = judge([entry(1, 0, 503, retry_after="30"), entry(2, 30, 200)]).select("retry_after")
    assert [v.outcome for v in early] == ["fail"] and early[0].evidence == [1, 2]
    assert [v.outcome for v in patient] == ["pass"]


def test_a_503_without_retry_after_sets_no_wait() -> None:
    assert judge([entry(1, 0, 503), entry(2, 0.1, 200)]).select("retry_after") == []


def test_backoff_that_grows_slowly_is_a_warning() -> None:
    slow = [entry(i + 1, t, 503 if i < 4 else 200) for i, t in enumerate([0, 10, 22, 35, 49])]
    [verdict] = judge(slow).select("backoff")
    assert verdict.outcome == "warn" and verdict.figures["waits"] == [10.0, 12.0, 13.0, 14.0]


def test_a_run_longer_than_the_time_bound_fails_even_with_few_attempts() -> None:
    report = judge([entry(1, 0, 503), entry(2, 5000, 503), entry(3, 9000, 200)], Options(max_retry_seconds=3600))
    [verdict] = report.select("bounded")
    assert verdict.outcome == "fail" and verdict.figures["attempts"] == 2 and verdict.figures["seconds"] == 5000


def test_recovery_is_counted_from_the_end_of_the_fault_window() -> None:
    faulted = {"rule": "outage", "kind": "error"}
    entries = [entry(1, 100, 503, fault=faulted), entry(2, 1000, 200)]
    [from_window] = judge(entries, windows={"outage": 900.0}).select("recovery")
    [from_failure] = judge(entries).select("recovery")
    assert from_window.figures["slowest_seconds"] == 100 and from_window.outcome == "pass"
    assert from_failure.figures["slowest_seconds"] == 900 and from_failure.outcome == "warn"


def test_a_lost_create_found_by_its_id_later_is_neither_duplicate_nor_orphan() -> None:
    lost = {"seq": 1, "provider": "p", "account": "a", "operation": "createThing", "method": "POST",
            "path": "/things", "epoch": 0, "wall": 0, "status": 502, "handler_status": 201,
            "fault": {"rule": "r", "kind": "empty_reply"}, "created": [{"kind": "thing", "id": "th-12345"}]}
    found = entry(2, 5, 200, operation="getThing", path="/things/th-12345")
    report = judge([lost, found])
    assert [v.outcome for v in report.select("duplicates")] == ["pass"]
    assert [v.outcome for v in report.select("orphans")] == ["pass"]
    assert report.select("cost") == []


def test_the_control_plane_and_lifecycle_events_are_not_client_requests() -> None:
    admin = {**entry(1, 0, 503), "provider": "_twin"}
    event = {"seq": 2, "provider": "p", "event": "lifecycle_fault", "epoch": 0, "fault": {"kind": "lifecycle"}}
    assert judge([admin, event]).verdicts == []


def test_verdict_replays_a_scenario_and_judges_its_journal(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["verdict", "--replay", str(SCENARIO)]) == 1
    assert "FAIL  duplicates  barrack/default/createInstance" in capsys.readouterr().out
