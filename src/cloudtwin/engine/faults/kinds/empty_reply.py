"""The server closes the connection without a reply."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Mapping

from ..base import FaultAction, Outcome, register


@register
@dataclass
class EmptyReplyFault(FaultAction):
    kind = "empty_reply"
    after_handler: bool = False  # true: the request takes effect, only the answer is lost

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "EmptyReplyFault":
        return cls(after_handler=bool(raw.get("after_handler", False)))

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, "after_handler": self.after_handler}

    def apply(self, rng: random.Random) -> Outcome:
        return Outcome(connection="empty", connection_options={"after_handler": self.after_handler})
