"""`latency` (faults/kinds/latency.py): the right answer, late; the delay is a seeded draw."""

from __future__ import annotations

import time

import pytest

from kindcheck import NO_SOCKET, CountingAnswer, outcome, schema_and_parser_agree


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
