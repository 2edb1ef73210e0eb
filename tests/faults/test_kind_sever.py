"""`reset` and `empty_reply` (faults/kinds/sever.py): the connection ends with no answer."""

from __future__ import annotations

import pytest
import requests

from cloudtwin.engine.connection import IN_PROCESS_HEADER
from faultlive import AUTH, add_fault, instances_url
from kindcheck import NO_SOCKET, CountingAnswer, outcome, schema_and_parser_agree

LIST = {"provider": "genesis", "operation": "listInstances"}


@pytest.mark.parametrize("kind", ["reset", "empty_reply"])
def test_fields_the_schema_takes_the_parser_takes(kind: str) -> None:
    assert schema_and_parser_agree(kind, {})
    assert schema_and_parser_agree(kind, {"after_handler": True})


@pytest.mark.parametrize(("kind", "how"), [("reset", "reset"), ("empty_reply", "empty")])
@pytest.mark.parametrize("after_handler", [False, True])
def test_without_a_socket_the_client_is_told_how_the_connection_ended(kind: str, how: str,
                                                                      after_handler: bool) -> None:
    answer = CountingAnswer()
    response = outcome(kind, after_handler=after_handler).shape(answer, NO_SOCKET)
    assert response.status_code == 502 and response.headers[IN_PROCESS_HEADER] == how
    assert answer.calls == (1 if after_handler else 0)  # the request took effect only when asked


def test_reset_before_any_byte(live: str) -> None:
    add_fault(live, {"match": LIST, "action": {"type": "reset"}})
    with pytest.raises(requests.ConnectionError) as raised:
        requests.get(instances_url(live), headers=AUTH, timeout=5)
    assert "reset" in str(raised.value).lower()


def test_empty_reply(live: str) -> None:
    add_fault(live, {"match": LIST, "action": {"type": "empty_reply"}})
    with pytest.raises(requests.ConnectionError) as raised:
        requests.get(instances_url(live), headers=AUTH, timeout=5)
    assert "without response" in str(raised.value)


def test_reset_after_the_handler_still_creates(live: str) -> None:
    add_fault(live, {"match": {"operation": "createSSHKey"}, "schedule": {"mode": "first", "n": 1},
                     "action": {"type": "reset", "after_handler": True}})
    key = {"name": "lost-answer", "value": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZ3YmJ0c2dqZ3VqZ3VqZ3VqZ3VqZ3VqZ3VqZ3VqZ3Vq"}
    with pytest.raises(requests.ConnectionError):
        requests.post(live + "/genesis/compute/v1/ssh-keys", headers=AUTH, json=key, timeout=5)
    listed = requests.get(live + "/genesis/compute/v1/ssh-keys", headers=AUTH, timeout=5).json()
    assert [k["name"] for k in listed["ssh_keys"]] == ["lost-answer"]
