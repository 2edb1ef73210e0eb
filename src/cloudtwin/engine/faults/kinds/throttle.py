"""A 429 in the provider's error shape, with Retry-After."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Mapping

from ...errors import ApiError
from ..base import FaultAction, Outcome, register


@register
@dataclass
class ThrottleFault(FaultAction):
    kind = "rate_limit"
    description = "A 429 in the provider's error shape, with Retry-After."
    fields = {
        "retry_after": {"type": "integer", "minimum": 0, "default": 1, "description": "Seconds, sent as Retry-After."},
        "message": {"type": ["string", "null"]},
    }
    retry_after: int = 1
    message: str | None = None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "ThrottleFault":
        retry_after = int(raw.get("retry_after", 1))
        if retry_after < 0:
            raise ValueError("retry_after must be zero or more seconds")
        return cls(retry_after=retry_after, message=raw.get("message"))

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, "retry_after": self.retry_after, "message": self.message}

    def apply(self, rng: random.Random) -> Outcome:
        return Outcome(
            error=ApiError(
                "rate_limited", self.message, status=429, headers={"Retry-After": str(self.retry_after)},
                retry_after=self.retry_after,
            )
        )
