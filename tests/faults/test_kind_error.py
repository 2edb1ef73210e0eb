"""`error` (faults/kinds/error.py): an error status in the provider's own shape."""

from __future__ import annotations

import pytest
import requests

from cloudtwin.engine.errors import ApiError
from faultlive import AUTH, add_fault, instances_url
from kindcheck import NO_SOCKET, CountingAnswer, outcome, schema_and_parser_agree


@pytest.mark.parametrize(("status", "taken"), [(400, True), (599, True), (399, False), (600, False)])
def test_fields_the_schema_takes_the_parser_takes(status: int, taken: bool) -> None:
    assert schema_and_parser_agree("error", {"status": status, "key": "fault", "message": None}) is taken


def test_the_handler_never_runs_and_the_error_is_the_rules() -> None:
    answer = CountingAnswer()
    with pytest.raises(ApiError) as raised:
        outcome("error", status=502, key="fault", message="upstream").shape(answer, NO_SOCKET)
    assert (raised.value.key, raised.value.status, raised.value.message) == ("fault", 502, "upstream")
    assert answer.calls == 0


def test_a_served_error_has_the_providers_shape(live: str) -> None:
    add_fault(live, {"match": {"provider": "genesis", "operation": "listInstances"},
                     "action": {"type": "error", "status": 500}})
    response = requests.get(instances_url(live), headers=AUTH, timeout=5)
    assert response.status_code == 500 and set(response.json()) == {"code", "message"}
