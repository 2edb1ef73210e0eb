"""Added latency: the answer is right, but late (fixed, uniform or log-normal)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Mapping

from ..base import FaultAction, Outcome, register

MAX_DELAY_SECONDS = 30.0


@register
@dataclass
class LatencyFault(FaultAction):
    kind = "latency"
    description = "The right answer, late (wall-clock time, at most 30 s)."
    fields = {
        "ms": {"type": "number", "minimum": 0, "maximum": 30000, "default": 0,
               "description": "The delay, or the median for lognormal."},
        "jitter_ms": {"type": "number", "minimum": 0, "default": 0, "description": "uniform: ms ± jitter_ms."},
        "distribution": {"type": "string", "enum": ["fixed", "uniform", "lognormal"], "default": "fixed"},
        "sigma": {"type": "number", "minimum": 0, "default": 0.5, "description": "The log-normal shape."},
    }
    ms: float = 0.0  # fixed delay, or the median for log-normal
    jitter_ms: float = 0.0  # uniform: ms ± jitter_ms
    distribution: str = "fixed"  # fixed | uniform | lognormal
    sigma: float = 0.5  # log-normal shape

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "LatencyFault":
        distribution = str(raw.get("distribution", "fixed"))
        if distribution not in ("fixed", "uniform", "lognormal"):
            raise ValueError("distribution must be fixed, uniform or lognormal")
        ms = float(raw.get("ms", 0))
        if ms < 0 or ms / 1000 > MAX_DELAY_SECONDS:
            raise ValueError(f"ms must be between 0 and {int(MAX_DELAY_SECONDS * 1000)}")
        return cls(ms=ms, jitter_ms=float(raw.get("jitter_ms", 0)), distribution=distribution,
                   sigma=float(raw.get("sigma", 0.5)))

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, "ms": self.ms, "jitter_ms": self.jitter_ms,
                "distribution": self.distribution, "sigma": self.sigma}

    def apply(self, rng: random.Random) -> Outcome:
        if self.distribution == "uniform":
            ms = rng.uniform(self.ms - self.jitter_ms, self.ms + self.jitter_ms)
        elif self.distribution == "lognormal":
            ms = rng.lognormvariate(math.log(max(self.ms, 0.001)), self.sigma)
        else:
            ms = self.ms
        delay = min(max(ms, 0.0) / 1000, MAX_DELAY_SECONDS)
        return Outcome(delay=delay, note={"delay_ms": round(delay * 1000, 3)})
