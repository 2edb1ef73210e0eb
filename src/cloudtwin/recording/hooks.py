"""What a provider tells the recorder, through its optional `recording` module.

The engine names no provider: a provider package may carry `recording.py` exporting
`HOOKS = RecordingHooks(...)`; a provider without one is recorded with the defaults
(everything derived from its spec and from generic rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Callable, Mapping


@dataclass(frozen=True)
class Seen:
    """What a catalogue mapper knows besides the answer it maps: where that answer came from
    (its upstream URL) and what the session's earlier answers told (`RecordingHooks.facts`)."""

    url: str
    facts: Mapping[str, Any] = field(default_factory=dict)


# operationId -> fn(response body, seen) -> {fixture file stem: data in the twin's fixture format}
CatalogueMapper = Callable[[Any, Seen], Mapping[str, Any]]
# operationId -> fn(response body) -> facts about the session (who it acts as, its endpoints)
FactReader = Callable[[Any], Mapping[str, Any]]


@dataclass(frozen=True)
class RecordingHooks:
    # Answers whose absolute URLs must point back through the proxy (an identity catalog).
    rewrite_urls: frozenset[str] = frozenset()
    # Operations a replay does not repeat: the target's own auth supplies the credential
    # (a token request carries the password or API key, which never reaches a file).
    not_replayed: frozenset[str] = frozenset()
    # JSON keys (besides the generic password/secret/token/api key names) holding secrets.
    secret_keys: frozenset[str] = frozenset()
    # Catalogue data (images, instance types, regions, prices) -> fixture overlay files.
    catalogue: Mapping[str, CatalogueMapper] = field(default_factory=dict)
    # Answers that tell the catalogue mappers about the session (a token answer's tenant).
    # Every answer is read as the upstream gave it: URLs the proxy rewrote are the upstream's again.
    facts: Mapping[str, FactReader] = field(default_factory=dict)
    # The field that holds a resource's lifecycle state.
    state_field: str = "status"


DEFAULT = RecordingHooks()


def hooks_for(provider: str) -> RecordingHooks:
    from ..providers import KNOWN

    try:
        module = import_module(f"{KNOWN[provider]}.recording")
    except ModuleNotFoundError:
        return DEFAULT
    return getattr(module, "HOOKS", DEFAULT)
