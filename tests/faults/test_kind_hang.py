"""`hang` (faults/kinds/hang.py): silence until the client gives up, bounded."""

from __future__ import annotations

import time

import pytest
import requests

from cloudtwin.engine.connection import IN_PROCESS_HEADER
from faultlive import AUTH, add_fault, instances_url
from kindcheck import NO_SOCKET, CountingAnswer, outcome, schema_and_parser_agree


@pytest.mark.parametrize(("seconds", "taken"), [(0.1, True), (60, True), (0, False), (61, False)])
def test_fields_the_schema_takes_the_parser_takes(seconds: float, taken: bool) -> None:
    assert schema_and_parser_agree("hang", {"seconds": seconds}) is taken


def test_without_a_socket_the_client_sees_a_timeout_at_once() -> None:
    answer = CountingAnswer()
    started = time.monotonic()
    response = outcome("hang", seconds=30).shape(answer, NO_SOCKET)
    assert time.monotonic() - started < 1  # no client to outwait
    assert response.status_code == 502 and response.headers[IN_PROCESS_HEADER] == "timeout"
    assert answer.calls == 0


def test_hang_until_the_client_gives_up_is_bounded(live: str) -> None:
    add_fault(live, {"match": {"provider": "genesis", "operation": "listInstances"},
                     "schedule": {"mode": "first", "n": 1}, "action": {"type": "hang", "seconds": 3}})
    with pytest.raises(requests.ReadTimeout):
        requests.get(instances_url(live), headers=AUTH, timeout=0.5)
    # The server thread is released after its bound: later calls are answered normally.
    time.sleep(3)
    assert requests.get(instances_url(live), headers=AUTH, timeout=5).status_code == 200
