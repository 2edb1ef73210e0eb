"""The contract every fault kind fulfils, and the registry of kinds.

A kind is one module in `kinds/` (found by name, nothing else lists it): a registered
`FaultAction` subclass with its documented fields (`description`, `fields`: the JSON Schema
that spec/twin-admin.yaml carries for it, checked equal by a test), its decision (`apply`:
the draw that picks this time's values) and its effect (`respond`: what it does to the
answer or to the socket).

Whatever serves the request (the pipeline's handler, a recording proxy's forwarder) uses it
the same way:

    decision = twin.faults.decide(request, now)      # None: no rule fired
    if decision is not None:
        journal["fault"] = decision.describe()
        return decision.outcome.shape(answer, environ)  # answer() produces the real response
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Mapping

from .. import connection
from ..errors import ApiError

if TYPE_CHECKING:
    from flask import Response

Answer = Callable[[], "Response"]  # produces the real answer (runs the handler, or forwards)
Effect = Callable[[Answer, Mapping[str, Any]], "Response"]  # (answer, WSGI environ) -> what the client gets


@dataclass
class Outcome:
    """What a fired fault does to the request."""

    error: ApiError | None = None  # answer with this error instead of the handler
    delay: float = 0.0  # wall-clock seconds to hold the response (network latency)
    effect: Effect | None = None  # shapes the answer or the connection (drip, reset, …)
    note: dict[str, Any] = field(default_factory=dict)  # what to journal about the draw

    def shape(self, answer: Answer, environ: Mapping[str, Any]) -> "Response":
        """Apply the fault: wait, then answer with its error (raised), its effect, or the real answer.

        A caller that keeps its own time (`connection.REPORT_DELAYS`) is told the delay instead."""
        reported = bool(self.delay) and connection.reports_delays(environ)
        if self.delay and not reported:
            time.sleep(self.delay)  # network latency is real time by design; never under the lock
        if self.error is not None:
            if reported:
                connection.report_delay(self.error.headers, self.delay, self.delay)
            raise self.error
        response = answer() if self.effect is None else self.effect(answer, environ)
        if reported:
            connection.report_delay(response.headers, self.delay, self.delay)
        return response


class FaultAction:
    """One kind of fault. Subclasses declare `kind`, `description` and `fields`, and implement
    `from_dict`, `to_dict` and `apply` (and `respond` when the kind has an effect)."""

    kind: ClassVar[str]
    description: ClassVar[str]  # one line, as the admin spec documents the kind
    fields: ClassVar[dict[str, Any]]  # field -> JSON Schema, as the admin spec documents it

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "FaultAction":
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def apply(self, rng: random.Random) -> Outcome:
        raise NotImplementedError

    def respond(self, answer: Answer, environ: Mapping[str, Any]) -> "Response":
        """The kind's effect on the answer or the socket (for kinds whose `apply` names it)."""
        raise NotImplementedError

    @classmethod
    def component(cls) -> str:
        """The kind's schema name in spec/twin-admin.yaml: `rate_limit` -> `RateLimitFault`."""
        return "".join(part.title() for part in cls.kind.split("_")) + "Fault"

    @classmethod
    def schema(cls) -> dict[str, Any]:
        """The kind's JSON Schema, as spec/twin-admin.yaml documents it under `component()`."""
        return {"type": "object", "additionalProperties": False, "required": ["type"],
                "description": cls.description, "properties": {"type": {"const": cls.kind}, **cls.fields}}


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
