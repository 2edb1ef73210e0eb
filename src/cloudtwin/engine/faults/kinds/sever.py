"""The connection ends with no answer: a TCP reset (`reset`) or a plain close (`empty_reply`).

With `after_handler: true` the request takes effect and only its answer is lost: the case
that makes naive retries create duplicates.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, ClassVar, Mapping

from flask import Response

from ... import connection
from ..base import Answer, FaultAction, Outcome, register

AFTER_HANDLER = {"type": "boolean", "default": False,
                 "description": "The request takes effect; only its answer is lost."}


@dataclass
class _Sever(FaultAction):
    how: ClassVar[str]  # connection.sever's `how`
    fields = {"after_handler": AFTER_HANDLER}
    after_handler: bool = False

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "_Sever":
        return cls(after_handler=bool(raw.get("after_handler", False)))

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, "after_handler": self.after_handler}

    def apply(self, rng: random.Random) -> Outcome:
        return Outcome(effect=self.respond)

    def respond(self, answer: Answer, environ: Mapping[str, Any]) -> Response:
        if self.after_handler:
            answer()  # the request takes effect; only its answer is lost
        return connection.sever(environ, self.how)


@register
@dataclass
class ResetFault(_Sever):
    kind = "reset"
    description = "The connection is reset (TCP RST) with no answer."
    how = "reset"


@register
@dataclass
class EmptyReplyFault(_Sever):
    kind = "empty_reply"
    description = "The connection closes with no answer."
    how = "empty"
