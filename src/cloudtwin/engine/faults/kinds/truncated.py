"""The answer is cut short: Content-Length promises more than arrives, then the connection closes."""

from __future__ import annotations

import random
import socket
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from flask import Response

from ... import connection
from ..base import Answer, FaultAction, Outcome, register


@register
@dataclass
class TruncatedFault(FaultAction):
    kind = "truncated"
    description = "Content-Length promises more than arrives, then the connection closes."
    fields = {"fraction": {"type": "number", "minimum": 0, "exclusiveMaximum": 1, "default": 0.5,
                           "description": "How much of the body is sent."}}
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
        return Outcome(effect=self.respond)

    def respond(self, answer: Answer, environ: Mapping[str, Any]) -> Response:
        """Promise the whole body in Content-Length, send part of it, then close."""
        response = answer()
        body = response.get_data()
        cut = body[: int(len(body) * min(self.fraction, 0.99))]
        sock = connection.client_socket(environ)
        if sock is None:
            return connection.in_process("truncated")

        def part_then_close() -> Iterator[bytes]:
            yield cut
            # Servers drop an app's `Connection: close` (hop-by-hop) and would keep the socket
            # open waiting for bytes that never come; end the stream ourselves.
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        out = Response(part_then_close(), status=response.status_code, headers=dict(response.headers))
        out.headers["Content-Length"] = str(max(len(body), len(cut) + 1))
        return out
