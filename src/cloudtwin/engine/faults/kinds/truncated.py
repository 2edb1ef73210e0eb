"""The answer is cut short: Content-Length promises more than arrives, then the connection closes."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Mapping

from ..base import FaultAction, Outcome, register


@register
@dataclass
class TruncatedFault(FaultAction):
    kind = "truncated"
    fraction: float = 0.5  # how much of the body is sent

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "TruncatedFault":
        fraction = float(raw.get("fraction", 0.5))
        if not 0.0 <= fraction < 1.0:
            raise ValueError("fraction must be at least 0 and below 1")
        return cls(fraction=fraction)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, "fraction": self.fraction}

    def apply(self, rng: random.Random) -> Outcome:
        return Outcome(connection="truncate", connection_options={"fraction": self.fraction})
