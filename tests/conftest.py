"""Shared fixtures: an in-process twin per test, and a twin served on a real port."""

from __future__ import annotations

import os
from typing import Any, Iterator

import pytest

from served_process import serving
from twinhelp import reused_app, reused_twin
from cloudtwin.engine.twin import Twin

# Every twin of the suite (served ones too: they inherit the environment) packs every row after
# every call, so a handler that keeps a row's dict across calls, or edits one after it was
# packed, fails here instead of losing an update in a large state. It costs no measurable time.
os.environ.setdefault("CLOUDTWIN_WORKING_SET", "0")

GENESIS_TOKEN = "gc-default-0000000000000000000000"
OTHER_GENESIS_TOKEN = "gc-other-00000000000000000000000"


@pytest.fixture
def twin() -> Twin:
    """A twin at its fixtures with a frozen clock: built once per session, reset before each test
    (loading and compiling the specs costs ~0.1 s, a reset well under a millisecond)."""
    return reused_twin()


@pytest.fixture
def app(twin: Twin):  # type: ignore[no-untyped-def]
    """The app over the reused twin, built once: it keeps no state of its own."""
    app = reused_app(twin)
    app.testing = True
    return app


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def gc(client):  # type: ignore[no-untyped-def]
    """A Genesis client: paths relative to the base URL, the default account's token."""
    return ApiClient(client, "/genesis/compute/v1", {"Authorization": f"Bearer {GENESIS_TOKEN}"})


class ApiClient:
    def __init__(self, client: Any, base: str, headers: dict[str, str]) -> None:
        self.client, self.base, self.headers = client, base, headers

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.open(self.base + path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kw: Any) -> Any:
        return self._call("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self._call("POST", path, **kw)

    def patch(self, path: str, **kw: Any) -> Any:
        return self._call("PATCH", path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self._call("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self._call("DELETE", path, **kw)

    def advance(self, seconds: float) -> Any:
        return self.client.post("/_twin/clock/advance", json={"seconds": seconds})


@pytest.fixture
def served(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The same app on a real loopback port, threaded: its base URL."""
    yield from serving(app)


# One real browser for the whole session (Debian's chromium, driven by Playwright, which cannot
# download its own here). Playwright's sync API runs one event loop per thread, so two
# `sync_playwright()` alive at once (one per test folder) would refuse to start: they share this one.
CHROMIUM = os.environ.get("CLOUDTWIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"No browser at {CHROMIUM}: install Debian's chromium (apt-get install chromium; .ci/run does) "
                    "or point CLOUDTWIN_CHROMIUM at one.")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing: pip install -e '.[test]' brings it")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
