"""The right answer, delivered a few bytes at a time."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from flask import Response

from ... import connection
from ..base import Answer, FaultAction, Outcome, register

MAX_SECONDS = 60.0


@register
@dataclass
class DripFault(FaultAction):
    kind = "drip"
    description = "The right answer, a few bytes at a time."
    fields = {
        "chunk_bytes": {"type": "integer", "minimum": 1, "default": 16},
        "interval_ms": {"type": "number", "minimum": 0, "default": 100},
        "max_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 60, "default": 10,
                        "description": "The whole answer never takes longer."},
    }
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
        return Outcome(effect=self.respond)

    def respond(self, answer: Answer, environ: Mapping[str, Any]) -> Response:
        response = answer()
        body = response.get_data()
        chunks = max(1, -(-len(body) // self.chunk_bytes))
        pause = min(self.interval_ms / 1000, self.max_seconds / chunks)
        if connection.reports_delays(environ):  # the caller counts the pauses; the body is whole
            connection.report_delay(response.headers, pause * (chunks - 1), pause if chunks > 1 else 0.0)
            return response

        def slowly() -> Iterator[bytes]:
            for start in range(0, len(body), self.chunk_bytes):
                if start:
                    time.sleep(pause)
                yield body[start:start + self.chunk_bytes]

        out = Response(slowly(), status=response.status_code, headers=dict(response.headers))
        out.headers["Content-Length"] = str(len(body))
        return out
