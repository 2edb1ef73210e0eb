"""The contract every fault kind fulfils, and the registry of kinds."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping

from ..errors import ApiError


@dataclass
class Outcome:
    """What a fired fault does to the request."""

    error: ApiError | None = None  # answer with this error instead of the handler
    delay: float = 0.0  # wall-clock seconds to hold the response (network latency)
    connection: str | None = None  # a socket-level behaviour (reset, hang, …)
    connection_options: dict[str, Any] = field(default_factory=dict)
    note: dict[str, Any] = field(default_factory=dict)  # what to journal about the draw


class FaultAction:
    """One kind of fault. Subclasses declare `kind` and implement the three methods."""

    kind: ClassVar[str]

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "FaultAction":
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def apply(self, rng: random.Random) -> Outcome:
        raise NotImplementedError


FAULT_KINDS: dict[str, type[FaultAction]] = {}


def register(cls: type[FaultAction]) -> type[FaultAction]:
    FAULT_KINDS[cls.kind] = cls
    return cls


def fields_of(kind: str) -> frozenset[str]:
    """The attributes a kind reads: those its default instance writes back."""
    return frozenset(FAULT_KINDS[kind]().to_dict())  # every kind has a default for each field


def build_action(raw: Mapping[str, Any]) -> FaultAction:
    from .targets import FaultRuleError  # the error type lives with the other rule checks

    kind = raw.get("type")
    if kind == "lifecycle":
        raise FaultRuleError("a lifecycle rule is not an action: put it under `lifecycle:` "
                             "(kind, state, after/forever/then), beside `match`, not under `action:`")
    if not isinstance(kind, str) or kind not in FAULT_KINDS:
        raise FaultRuleError(f"unknown fault type {kind!r}; valid: {', '.join(sorted(FAULT_KINDS))}")
    unknown = sorted(set(raw) - fields_of(kind))
    if unknown:
        raise FaultRuleError(f"a {kind} fault has no field {', '.join(unknown)}; "
                             f"valid: {', '.join(sorted(fields_of(kind)))}")
    return FAULT_KINDS[kind].from_dict(raw)
