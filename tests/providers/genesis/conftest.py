"""Genesis clients for the other fixture accounts (the default account's is `gc`)."""

from __future__ import annotations

import pytest

from twinhelp import LEGACY_TOKEN, OTHER_TOKEN, reused_app, reused_twin


@pytest.fixture
def other(gc):  # type: ignore[no-untyped-def]
    """The `other` account: must never see the default account's resources."""
    return type(gc)(gc.client, gc.base, {"Authorization": f"Bearer {OTHER_TOKEN}"})


@pytest.fixture
def legacy(gc):  # type: ignore[no-untyped-def]
    """The legacy account (X-Auth-Token): no filesystems, no floating IPs, may use ARC-IS-HAF-1."""
    return type(gc)(gc.client, gc.base, {"X-Auth-Token": LEGACY_TOKEN})


@pytest.fixture
def twin():  # type: ignore[no-untyped-def]
    """Overrides tests/conftest.py's `twin` with the same thing, reset instead of rebuilt (speed)."""
    return reused_twin()


@pytest.fixture
def app(twin):  # type: ignore[no-untyped-def]
    """Overrides tests/conftest.py's `app`: the same app, built once for the reused twin."""
    return reused_app(twin)
