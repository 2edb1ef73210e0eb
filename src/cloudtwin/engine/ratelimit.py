"""Rate limits as the provider has them: a token bucket per account (and optionally per
operation) on the virtual clock, configured per provider in `fixtures/<provider>/rate_limits.yaml`.

```yaml
enabled: false                  # on with `cloudtwin serve --rate-limits`, a scenario or the admin API
default: {requests: 10, per: 1s, burst: 10}
operations:                     # optional per-operation buckets, counted separately
  createInstance: {requests: 1, per: 10s, burst: 2}
```
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any, Mapping

from .clock import parse_duration


@dataclass(frozen=True)
class Limit:
    rate: float  # tokens per second
    burst: int

    @classmethod
    def from_fixture(cls, raw: Mapping[str, Any]) -> "Limit":
        per = parse_duration(raw.get("per", "1s"))
        requests = float(raw["requests"])
        if per <= 0 or requests <= 0:
            raise ValueError("a rate limit needs requests > 0 per a positive duration")
        return cls(rate=requests / per, burst=int(raw.get("burst", max(1, int(requests)))))


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int  # until the bucket is full again
    retry_after: int  # until the next request would be allowed (0 when allowed)

    def headers(self) -> dict[str, str]:
        out = {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(self.remaining),
               "RateLimit-Reset": str(self.reset_seconds)}
        if not self.allowed:
            out["Retry-After"] = str(self.retry_after)
        return out


class RateLimiter:
    def __init__(self, config: Mapping[str, Any] | None) -> None:
        config = config or {}
        self.enabled = bool(config.get("enabled", False))
        self.default = Limit.from_fixture(config["default"]) if config.get("default") else None
        self.operations = {op: Limit.from_fixture(raw) for op, raw in (config.get("operations") or {}).items()}
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()

    def describe(self) -> dict[str, Any]:
        def show(limit: Limit | None) -> dict[str, Any] | None:
            return None if limit is None else {"requests_per_second": limit.rate, "burst": limit.burst}
        return {"enabled": self.enabled, "default": show(self.default),
                "operations": {op: show(limit) for op, limit in self.operations.items()}}

    def take(self, client: str, operation: str, now: float) -> Verdict | None:
        """Spend one token of this client's bucket; None when no limit applies."""
        if not self.enabled:
            return None
        limit = self.operations.get(operation) or self.default
        if limit is None:
            return None
        key = (client, operation if operation in self.operations else "*")
        with self._lock:
            tokens, last = self._buckets.get(key, (float(limit.burst), now))
            tokens = min(float(limit.burst), tokens + max(0.0, now - last) * limit.rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[key] = (tokens, now)
        missing = max(0.0, 1.0 - tokens)
        return Verdict(
            allowed=allowed, limit=limit.burst, remaining=int(tokens),
            reset_seconds=math.ceil((limit.burst - tokens) / limit.rate),
            retry_after=0 if allowed else max(1, math.ceil(missing / limit.rate)),
        )

    def buckets(self, now: float) -> list[dict[str, Any]]:
        """Every client's bucket as it stands at `now` (refilled since its last spend)."""
        with self._lock:
            held = sorted(self._buckets.items())
        out = []
        for (client, operation), (tokens, last) in held:
            limit = self.operations.get(operation) if operation != "*" else self.default
            if limit is None:
                continue
            level = min(float(limit.burst), tokens + max(0.0, now - last) * limit.rate)
            out.append({"client": client, "operation": operation, "tokens": round(level, 3), "burst": limit.burst,
                        "requests_per_second": limit.rate, "full_in_seconds": round((limit.burst - level) / limit.rate, 3)})
        return out
