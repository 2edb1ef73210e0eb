"""Silence until the client gives up; bounded, so the server never leaks a thread."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any, Mapping

from flask import Response

from ... import connection
from ..base import Answer, FaultAction, Outcome, register

MAX_SECONDS = 60.0


@register
@dataclass
class HangFault(FaultAction):
    kind = "hang"
    description = "Silence until the client gives up, bounded."
    fields = {"seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 60, "default": 30}}
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
        return Outcome(effect=self.respond)

    def respond(self, answer: Answer, environ: Mapping[str, Any]) -> Response:
        """Say nothing until the client gives up (or the bound passes), then close."""
        if connection.client_socket(environ) is None:
            return connection.in_process("timeout")  # no client to outwait in-process: what it would see
        time.sleep(min(self.seconds, MAX_SECONDS))
        return connection.sever(environ, "empty")
