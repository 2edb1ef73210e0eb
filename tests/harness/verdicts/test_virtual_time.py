"""The client's time is the twin's: minutes of back-off in well under a second, same verdicts
as the same client really sleeping against a served twin (its waits scaled down, then judged
unscaled)."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from cloudtwin.harness.handle import ServedTwin, TwinHandle
from cloudtwin.harness.verdicts import Options, judge
from resilient_clients import DOES_IT_RIGHT, IGNORES_RETRY_AFTER, Client, InProcess, OverHttp, Policy

from workload import PAUSE, RETRY_AFTER, prepare, run

SCALE = 0.001  # the served run sleeps for real, 1000 times shorter: the ten-minute pause is 0.6 s
# Request overheads are judged 1000 times longer too (2 ms reads as 2 s): the workload keeps every
# threshold a rule applies (Retry-After 60 s, recovery within 300 s) far from what the client does.


def client_on(served: ServedTwin, policy: Policy) -> Client:
    return Client(OverHttp(served.base_url("barrack"), served.headers("barrack")), policy, seed=7)


def comparable(report):  # type: ignore[no-untyped-def]
    """What must agree between the two runs: every verdict, its evidence and its counts."""
    return sorted((v.rule, v.operation, v.outcome, tuple(v.evidence),
                   v.figures.get("attempts"), v.figures.get("duplicates"), v.figures.get("early"))
                  for v in report.verdicts)


@pytest.mark.cloudtwin(providers=["barrack"], seed=26)
def test_time_functions_follow_the_twin_and_sleep_moves_it(cloudtwin, cloudtwin_clock) -> None:  # type: ignore[no-untyped-def]
    before = cloudtwin.twin.clock.now()
    assert time.time() == pytest.approx(before)
    started_monotonic, started_real = time.monotonic(), time.perf_counter_ns()
    time.sleep(600)
    assert cloudtwin.twin.clock.now() == pytest.approx(before + 600)
    assert time.monotonic() - started_monotonic == pytest.approx(600)
    assert dt.datetime.now(dt.timezone.utc).timestamp() == pytest.approx(before + 600)
    cloudtwin.advance("1h")  # moved from the twin's side, the client sees it too
    assert time.time() == pytest.approx(before + 4200)


@pytest.mark.parametrize("policy", [DOES_IT_RIGHT, IGNORES_RETRY_AFTER], ids=["right", "ignores-retry-after"])
def test_minutes_of_back_off_take_under_a_second_and_judge_as_a_real_run(policy: Policy) -> None:
    from cloudtwin.harness.virtual_time import virtual_time

    virtual = TwinHandle(["barrack"], seed=26)  # in-process: the client's calls cost no socket
    key = prepare(virtual)
    with virtual_time(virtual):
        started = time.perf_counter()  # freezegun patches it: this reads the twin's clock
        real_started = _real_now()
        run(Client(InProcess(virtual), policy, seed=7), key)
        real_seconds = _real_now() - real_started
        virtual_seconds = time.perf_counter() - started
    virtual_report = judge(virtual.journal(limit=10000))
    assert real_seconds < 1.0
    assert virtual_seconds > PAUSE + 2 * RETRY_AFTER + 4 * 30  # the pause, Retry-After and back-off: all virtual

    served = ServedTwin(["barrack"], seed=26, freeze=False)  # its clock runs in real time
    try:
        key = prepare(served)
        run(client_on(served, Policy(**{**policy.__dict__, "scale": SCALE})), key)
        served_report = judge(served.journal(limit=10000), Options(time_scale=SCALE))
    finally:
        served.close()
    assert comparable(virtual_report) == comparable(served_report)


def _real_now() -> float:
    from freezegun.api import real_perf_counter

    return real_perf_counter()
