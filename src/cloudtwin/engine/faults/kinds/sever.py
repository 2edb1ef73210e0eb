"""The connection ends with no answer: a TCP reset (`reset`) or a plain close (`empty_reply`).

With `after_handler: true` the request takes effect and only its answer is lost: the case
that makes naive retries create duplicates.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, ClassVar, Mapping

from ..base import FaultAction, Outcome, register


@dataclass
class _Sever(FaultAction):
    how: ClassVar[str]
    after_handler: bool = False

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "_Sever":
        return cls(after_handler=bool(raw.get("after_handler", False)))

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, "after_handler": self.after_handler}

    def apply(self, rng: random.Random) -> Outcome:
        return Outcome(connection=self.how, connection_options={"after_handler": self.after_handler})


@register
@dataclass
class ResetFault(_Sever):
    kind = "reset"
    how = "reset"


@register
@dataclass
class EmptyReplyFault(_Sever):
    kind = "empty_reply"
    how = "empty"
