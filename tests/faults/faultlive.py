"""Helpers for the fault tests that talk to a served twin."""

from __future__ import annotations

import requests

TOKEN = "gc-default-0000000000000000000000"


def add_fault(base: str, rule: dict) -> dict:
    response = requests.post(base + "/_twin/faults", json=rule, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def instances_url(base: str) -> str:
    return base + "/genesis/compute/v1/instances"


AUTH = {"Authorization": f"Bearer {TOKEN}"}
