"""A real headless browser (Debian's chromium, driven by Playwright) on a served twin."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from served_process import serving

from cloudtwin.app import create_app

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
    yield from serving(create_app(twin, admin_token="dash-secret"))
