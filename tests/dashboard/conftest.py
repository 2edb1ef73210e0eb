"""A real headless browser (Debian's chromium, driven by Playwright) on a served twin."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
from werkzeug.serving import make_server

from cloudtwin.app import create_app

CHROMIUM = Path(os.environ.get("CLOUDTWIN_CHROMIUM", "/usr/bin/chromium"))
# Playwright cannot download its own browsers here: it drives the system's chromium, kept quiet.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"No browser at {CHROMIUM}: install Debian's chromium (apt-get install chromium; .ci/run does) "
                    "or point CLOUDTWIN_CHROMIUM at one.")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page; any JavaScript error or failed console call fails the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(5000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The browser logs every refused fetch; a 401 is the token prompt doing its job, not a fault.
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "status of 401" not in message.text else None)
    yield page
    context.close()
    assert errors == [], errors


@pytest.fixture
def guarded(twin: Any) -> Iterator[str]:
    """The same twin served with an admin token, as beyond loopback: its base URL."""
    app = create_app(twin, admin_token="dash-secret")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
