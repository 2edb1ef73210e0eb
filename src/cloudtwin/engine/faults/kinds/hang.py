"""Silence until the client gives up; bounded, so the server never leaks a thread."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Mapping

from ..base import FaultAction, Outcome, register

MAX_SECONDS = 60.0


@register
@dataclass
class HangFault(FaultAction):
    kind = "hang"
    seconds: float = 30.0

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "HangFault":
        seconds = float(raw.get("seconds", 30))
        if not 0 < seconds <= MAX_SECONDS:
            raise ValueError(f"seconds must be above 0 and at most {MAX_SECONDS:g}")
        return cls(seconds=seconds)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, "seconds": self.seconds}

    def apply(self, rng: random.Random) -> Outcome:
        return Outcome(connection="hang", connection_options={"seconds": self.seconds})
