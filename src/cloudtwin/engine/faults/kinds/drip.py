"""The right answer, delivered a few bytes at a time."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Mapping

from ..base import FaultAction, Outcome, register

MAX_SECONDS = 60.0


@register
@dataclass
class DripFault(FaultAction):
    kind = "drip"
    chunk_bytes: int = 16
    interval_ms: float = 100.0
    max_seconds: float = 10.0  # the whole answer never takes longer than this

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "DripFault":
        fault = cls(chunk_bytes=int(raw.get("chunk_bytes", 16)), interval_ms=float(raw.get("interval_ms", 100)),
                    max_seconds=float(raw.get("max_seconds", 10)))
        if fault.chunk_bytes < 1 or fault.interval_ms < 0 or not 0 < fault.max_seconds <= MAX_SECONDS:
            raise ValueError(f"chunk_bytes >= 1, interval_ms >= 0 and 0 < max_seconds <= {MAX_SECONDS:g}")
        return fault

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, "chunk_bytes": self.chunk_bytes, "interval_ms": self.interval_ms,
                "max_seconds": self.max_seconds}

    def apply(self, rng: random.Random) -> Outcome:
        return Outcome(connection="drip", connection_options={
            "chunk_bytes": self.chunk_bytes, "interval": self.interval_ms / 1000, "max_seconds": self.max_seconds})
