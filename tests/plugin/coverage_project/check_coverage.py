"""A user's suite: one test survives a reset on createSshKey, one fails under a 503 on listSshKeys."""

import requests


def test_survives_a_reset(cloudtwin_server) -> None:  # type: ignore[no-untyped-def]
    cloudtwin_server.add_fault(match={"operation": "createSshKey"}, schedule={"mode": "first", "n": 1},
                               action={"type": "reset"})
    url = cloudtwin_server.base_url("barrack") + "/ssh-keys/"
    headers = cloudtwin_server.headers("barrack")
    for _ in range(3):
        try:
            answer = requests.post(url, json={"name": "k"}, headers=headers, timeout=5)
            break
        except requests.ConnectionError:
            continue
    assert answer.status_code == 201


def test_does_not_survive_a_503(cloudtwin) -> None:  # type: ignore[no-untyped-def]
    cloudtwin.add_fault(match={"operation": "listSshKeys"}, action={"type": "error", "status": 503})
    assert cloudtwin.request("GET", "barrack", "/ssh-keys/").status_code == 200
