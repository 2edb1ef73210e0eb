"""`truncated` (faults/kinds/truncated.py): Content-Length promises more than arrives."""

from __future__ import annotations

import http.client
from urllib.parse import urlparse

import pytest

from cloudtwin.engine.connection import IN_PROCESS_HEADER
from faultlive import AUTH, add_fault
from kindcheck import NO_SOCKET, CountingAnswer, outcome, schema_and_parser_agree


@pytest.mark.parametrize(("fraction", "taken"), [(0, True), (0.5, True), (0.99, True), (1, False), (-0.1, False)])
def test_fields_the_schema_takes_the_parser_takes(fraction: float, taken: bool) -> None:
    assert schema_and_parser_agree("truncated", {"fraction": fraction}) is taken


def test_without_a_socket_the_client_is_told_the_answer_was_cut() -> None:
    answer = CountingAnswer()
    response = outcome("truncated", fraction=0.3).shape(answer, NO_SOCKET)
    assert response.status_code == 502 and response.headers[IN_PROCESS_HEADER] == "truncated"
    assert answer.calls == 1  # the handler ran: the request took effect, its answer was cut


def test_truncated_body(live: str) -> None:
    add_fault(live, {"match": {"provider": "genesis", "operation": "listInstances"},
                     "action": {"type": "truncated", "fraction": 0.3}})
    parsed = urlparse(live)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=5)
    connection.request("GET", "/genesis/compute/v1/instances", headers=AUTH)
    response = connection.getresponse()
    assert response.status == 200
    with pytest.raises(http.client.IncompleteRead) as raised:
        response.read()
    assert 0 < len(raised.value.partial) < int(response.getheader("Content-Length"))
