"""The providers cloudtwin emulates; each is one package that returns a `Provider`."""

from __future__ import annotations

from importlib import import_module
from typing import Iterable

from ..engine.provider import Provider

# name -> module; a fourth provider is one more line here, a spec and fixtures.
KNOWN = {
    "genesis": "cloudtwin.providers.genesis",
    "barrack": "cloudtwin.providers.barrack",
    "rackspace": "cloudtwin.providers.rackspace",
}


def all_providers(names: Iterable[str] | None = None) -> list[Provider]:
    chosen = list(names) if names is not None else list(KNOWN)
    unknown = [n for n in chosen if n not in KNOWN]
    if unknown:
        raise ValueError(f"unknown providers: {', '.join(unknown)} (known: {', '.join(KNOWN)})")
    return [import_module(KNOWN[name]).provider() for name in chosen]
