"""`drip` (faults/kinds/drip.py): the right answer, a few bytes at a time."""

from __future__ import annotations

import time

import pytest
import requests

from cloudtwin.engine.connection import DELAY_HEADER, SILENCE_HEADER
from faultlive import AUTH, add_fault, instances_url
from kindcheck import NO_SOCKET, REPORTING, CountingAnswer, outcome, schema_and_parser_agree


@pytest.mark.parametrize(("fields", "taken"), [
    ({"chunk_bytes": 1, "interval_ms": 0, "max_seconds": 60}, True),
    ({"chunk_bytes": 0}, False),
    ({"interval_ms": -1}, False),
    ({"max_seconds": 0}, False),
    ({"max_seconds": 60.5}, False),
])
def test_fields_the_schema_takes_the_parser_takes(fields: dict, taken: bool) -> None:
    assert schema_and_parser_agree("drip", fields) is taken


def test_the_whole_answer_comes_in_chunks_within_the_bound() -> None:
    answer = CountingAnswer(body=b"x" * 40)
    response = outcome("drip", chunk_bytes=8, interval_ms=1000, max_seconds=0.05).shape(answer, NO_SOCKET)
    started = time.monotonic()
    chunks = list(response.response)
    assert chunks == [b"x" * 8] * 5 and response.headers["Content-Length"] == "40"
    assert time.monotonic() - started < 1  # 4 pauses of max_seconds / 5, not of interval_ms
    assert answer.calls == 1


def test_a_caller_that_keeps_its_own_time_gets_the_whole_body_and_the_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cloudtwin.engine.faults.kinds.drip.time.sleep",
                        lambda seconds: pytest.fail(f"slept {seconds}s for a caller that keeps its own time"))
    answer = CountingAnswer(body=b"x" * 40)
    response = outcome("drip", chunk_bytes=8, interval_ms=100, max_seconds=10).shape(answer, REPORTING)
    assert response.get_data() == b"x" * 40 and answer.calls == 1
    # 5 chunks: 4 pauses of 0.1 s in all; the longest silence is one pause
    assert float(response.headers[DELAY_HEADER]) == pytest.approx(0.4)
    assert float(response.headers[SILENCE_HEADER]) == pytest.approx(0.1)


def test_slow_drip_delivers_the_whole_answer_late(live: str) -> None:
    add_fault(live, {"match": {"provider": "genesis", "operation": "listInstances"},
                     "action": {"type": "drip", "chunk_bytes": 8, "interval_ms": 40, "max_seconds": 2}})
    started = time.monotonic()
    response = requests.get(instances_url(live), headers=AUTH, timeout=10)
    elapsed = time.monotonic() - started
    assert response.json() == {"instances": [], "total_count": 0, "page": 1, "per_page": 50}
    chunks = -(-len(response.content) // 8)
    assert elapsed >= 0.04 * (chunks - 1) * 0.9
