"""An error status with the provider's own error body."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Mapping

from ...errors import ApiError
from ..base import FaultAction, Outcome, register


@register
@dataclass
class ErrorFault(FaultAction):
    kind = "error"
    description = "An error status with the provider's own error body."
    fields = {
        "status": {"type": "integer", "minimum": 400, "maximum": 599, "default": 503},
        "key": {"type": "string", "default": "fault",
                "description": "A key of the provider's error table (its code and message); an unknown key "
                               "answers the provider's generic error."},
        "message": {"type": ["string", "null"], "description": "Replaces the table's message."},
    }
    status: int = 503
    key: str = "fault"  # a key of the provider's error table (its code and message)
    message: str | None = None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "ErrorFault":
        status = int(raw.get("status", 503))
        if not 400 <= status <= 599:
            raise ValueError("an error fault needs a status from 400 to 599")
        return cls(status=status, key=str(raw.get("key", "fault")), message=raw.get("message"))

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, "status": self.status, "key": self.key, "message": self.message}

    def apply(self, rng: random.Random) -> Outcome:
        return Outcome(error=ApiError(self.key, self.message, status=self.status))
