"""Engine tests: the shared fixtures, with the twin reset instead of rebuilt, and an admin client."""

from __future__ import annotations

import pytest


class Admin:
    """The control plane under /_twin, answering parsed JSON and asserting the status."""

    def __init__(self, client) -> None:  # type: ignore[no-untyped-def]
        self.client = client

    def call(self, method: str, path: str, status: int | None = None, **kwargs):  # type: ignore[no-untyped-def]
        resp = self.client.open("/_twin" + path, method=method, **kwargs)
        if status is not None:
            assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True))
        return resp

    def get(self, path: str, status: int = 200, **kw):  # type: ignore[no-untyped-def]
        return self.call("GET", path, status, **kw).get_json()

    def post(self, path: str, json=None, status: int = 200, **kw):  # type: ignore[no-untyped-def]
        resp = self.call("POST", path, status, json=json, **kw)
        return resp.get_json() if resp.data else None

    def fault(self, rule: dict, status: int = 201):  # type: ignore[no-untyped-def]
        return self.post("/faults", rule, status)

    def advance(self, seconds: float):  # type: ignore[no-untyped-def]
        return self.post("/clock/advance", {"seconds": seconds})

    def journal(self, query: str = ""):  # type: ignore[no-untyped-def]
        return self.get("/journal" + (f"?{query}" if query else ""))["entries"]


@pytest.fixture
def admin(client) -> Admin:  # type: ignore[no-untyped-def]
    return Admin(client)
