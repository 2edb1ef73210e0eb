"""Genesis clients for the other fixture accounts (the default account's is `gc`)."""

from __future__ import annotations

import pytest

from twinhelp import LEGACY_TOKEN, OTHER_TOKEN


@pytest.fixture
def other(gc):  # type: ignore[no-untyped-def]
    """The `other` account: must never see the default account's resources."""
    return type(gc)(gc.client, gc.base, {"Authorization": f"Bearer {OTHER_TOKEN}"})


@pytest.fixture
def legacy(gc):  # type: ignore[no-untyped-def]
    """The legacy account (X-Auth-Token): no filesystems, no floating IPs, may use ARC-IS-HAF-1."""
    return type(gc)(gc.client, gc.base, {"X-Auth-Token": LEGACY_TOKEN})


