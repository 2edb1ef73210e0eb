"""A body that is not what it says: a proxy's HTML page, or JSON cut off mid-way."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Mapping

from flask import Response

from ..base import Answer, FaultAction, Outcome, register

DEFAULT_BODY = "<html><head><title>502 Bad Gateway</title></head><body>upstream error</body></html>"


@register
@dataclass
class MalformedFault(FaultAction):
    kind = "malformed"
    description = "A body that is not what it says (by default a proxy's HTML page labelled JSON)."
    fields = {
        "status": {"type": "integer", "minimum": 200, "maximum": 599, "default": 200},
        "body": {"type": "string"},
        "content_type": {"type": "string", "default": "application/json"},
    }
    status: int = 200
    body: str = DEFAULT_BODY
    content_type: str = "application/json"

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "MalformedFault":
        status = int(raw.get("status", 200))
        if not 200 <= status <= 599:
            raise ValueError("status must be between 200 and 599")
        return cls(status=status, body=str(raw.get("body", DEFAULT_BODY)),
                   content_type=str(raw.get("content_type", "application/json")))

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, "status": self.status, "body": self.body, "content_type": self.content_type}

    def apply(self, rng: random.Random) -> Outcome:
        return Outcome(effect=self.respond)

    def respond(self, answer: Answer, environ: Mapping[str, Any]) -> Response:
        return Response(self.body, status=self.status, content_type=self.content_type)  # the handler never runs
