"""`latency` (faults/kinds/latency.py): the right answer, late; the delay is a seeded draw."""

from __future__ import annotations

import time

import pytest
import requests

from cloudtwin.engine.connection import DELAY_HEADER, SILENCE_HEADER
from cloudtwin.engine.errors import ApiError
from cloudtwin.engine.faults.base import Outcome
from faultlive import AUTH, add_fault, instances_url
from kindcheck import NO_SOCKET, REPORTING, CountingAnswer, outcome, schema_and_parser_agree


@pytest.mark.parametrize(("fields", "taken"), [
    ({"ms": 0}, True), ({"ms": 30000}, True), ({"ms": 30001}, False), ({"ms": -1}, False),
    ({"distribution": "lognormal", "sigma": 1}, True), ({"distribution": "pareto"}, False),
])
def test_fields_the_schema_takes_the_parser_takes(fields: dict, taken: bool) -> None:
    assert schema_and_parser_agree("latency", fields) is taken


def test_the_draw_is_seeded_and_within_its_spread() -> None:
    first = outcome("latency", seed=3, ms=100, jitter_ms=50, distribution="uniform")
    again = outcome("latency", seed=3, ms=100, jitter_ms=50, distribution="uniform")
    assert first.delay == again.delay and 0.05 <= first.delay <= 0.15
    assert first.note == {"delay_ms": round(first.delay * 1000, 3)}
    assert outcome("latency", ms=20).delay == 0.02  # fixed


def test_the_answer_is_the_handlers_and_late() -> None:
    answer = CountingAnswer()
    started = time.monotonic()
    response = outcome("latency", ms=30).shape(answer, NO_SOCKET)
    assert time.monotonic() - started >= 0.03
    assert response.get_data() == answer.body and answer.calls == 1


def _no_real_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(seconds: float) -> None:
        raise AssertionError(f"slept {seconds}s for a caller that keeps its own time")
    monkeypatch.setattr("cloudtwin.engine.faults.base.time.sleep", refuse)


def test_a_caller_that_keeps_its_own_time_is_told_the_delay_not_made_to_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_real_wait(monkeypatch)
    answer = CountingAnswer()
    response = outcome("latency", ms=2500).shape(answer, REPORTING)
    assert response.get_data() == answer.body and answer.calls == 1
    assert response.headers[DELAY_HEADER] == "2.500000" and response.headers[SILENCE_HEADER] == "2.500000"


def test_a_reported_delay_rides_on_an_error_answer_too(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_real_wait(monkeypatch)
    late_error = Outcome(error=ApiError("fault", status=503), delay=0.4)
    with pytest.raises(ApiError) as raised:
        late_error.shape(CountingAnswer(), REPORTING)
    assert raised.value.headers[DELAY_HEADER] == "0.400000"


def test_a_served_twin_really_waits(live: str) -> None:
    add_fault(live, {"match": {"provider": "genesis", "operation": "listInstances"},
                     "action": {"type": "latency", "ms": 200}})
    started = time.monotonic()
    response = requests.get(instances_url(live), headers=AUTH, timeout=10)
    assert time.monotonic() - started >= 0.2
    assert response.status_code == 200 and DELAY_HEADER not in response.headers
