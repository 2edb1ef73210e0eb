"""What a user writes: their own HTTP code, tested against the twin with only the fixtures."""

from __future__ import annotations

import pytest
import requests


def create_volume(base_url: str, token: str, name: str) -> dict:
    """Stand-in for the user's production code."""
    response = requests.post(f"{base_url}/volumes", json={"name": name, "size": 50, "region": "NORD-NO-KRS-1"},
                             headers={"Authorization": f"Bearer {token}"}, timeout=5)
    response.raise_for_status()
    return response.json()["volume"]


def test_volume_becomes_created_on_the_clock(cloudtwin_server) -> None:
    volume = create_volume(cloudtwin_server.base_url("genesis"), cloudtwin_server.token("genesis"), "data")
    assert volume["status"] == "creating"
    cloudtwin_server.advance("1m")
    again = requests.get(f"{cloudtwin_server.base_url('genesis')}/volumes/{volume['id']}",
                         headers=cloudtwin_server.headers("genesis"), timeout=5).json()["volume"]
    assert again["status"] == "created"


def test_my_code_sees_the_outage(cloudtwin_server) -> None:
    cloudtwin_server.add_fault(match={"operation": "createVolume"}, action={"type": "error", "status": 503})
    with pytest.raises(requests.HTTPError):
        create_volume(cloudtwin_server.base_url("genesis"), cloudtwin_server.token("genesis"), "data")
    assert cloudtwin_server.journal(fault="true")[-1]["status"] == 503


@pytest.mark.cloudtwin(providers=["genesis"], seed=99)
def test_in_process_and_seeded(cloudtwin) -> None:
    created = cloudtwin.request("POST", "genesis", "/volumes", json={"name": "v", "size": 1, "region": "NORD-NO-KRS-1"})
    assert created.status_code == 201
    state = cloudtwin.export_state()
    cloudtwin.reset()
    assert cloudtwin.request("GET", "genesis", "/volumes").json["total_count"] == 0
    cloudtwin.import_state(state)
    assert cloudtwin.request("GET", "genesis", "/volumes").json["total_count"] == 1
