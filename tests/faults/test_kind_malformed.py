"""`malformed` (faults/kinds/malformed.py): a body that is not what it says."""

from __future__ import annotations

import json

import pytest
import requests

from faultlive import AUTH, add_fault, instances_url
from kindcheck import NO_SOCKET, CountingAnswer, outcome, schema_and_parser_agree


@pytest.mark.parametrize(("status", "taken"), [(200, True), (599, True), (199, False), (600, False)])
def test_fields_the_schema_takes_the_parser_takes(status: int, taken: bool) -> None:
    assert schema_and_parser_agree("malformed", {"status": status, "body": "{", "content_type": "text/x"}) is taken


def test_the_handler_never_runs_and_the_body_is_the_rules() -> None:
    answer = CountingAnswer()
    response = outcome("malformed", status=502, body='{"half": ', content_type="application/json").shape(
        answer, NO_SOCKET)
    assert (response.status_code, response.get_data(), response.content_type) == (
        502, b'{"half": ', "application/json")
    assert answer.calls == 0


def test_body_that_is_not_json(live: str) -> None:
    add_fault(live, {"match": {"provider": "genesis", "operation": "listInstances"}, "action": {"type": "malformed"}})
    response = requests.get(instances_url(live), headers=AUTH, timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)
