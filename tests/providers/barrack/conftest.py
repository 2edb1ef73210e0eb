"""Barrack clients for the fixture accounts: default (USD), other (EUR), legacy (INR)."""

from __future__ import annotations

import pytest

from .helpers import DEFAULT_KEY, LEGACY_KEY, OTHER_KEY, Barrack, HttpClient


@pytest.fixture
def bk(client, twin) -> Barrack:  # type: ignore[no-untyped-def]
    return Barrack(client, twin, {"X-API-Key": DEFAULT_KEY})


@pytest.fixture
def other(bk: Barrack) -> Barrack:
    return bk.as_key(OTHER_KEY)


@pytest.fixture
def legacy(bk: Barrack) -> Barrack:
    return bk.as_key(LEGACY_KEY)


@pytest.fixture
def http(served, twin) -> Barrack:  # type: ignore[no-untyped-def]
    """The default account over real HTTP (`requests`) against the twin served on a loopback port."""
    return Barrack(HttpClient(served), twin, {"X-API-Key": DEFAULT_KEY})


@pytest.fixture
def http_legacy(http: Barrack) -> Barrack:
    return http.as_key(LEGACY_KEY)
