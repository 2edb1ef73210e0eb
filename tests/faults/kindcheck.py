"""Checks every fault kind's test runs: its documented schema and its parser agree, and its
effect can be watched without a socket."""

from __future__ import annotations

import random
from typing import Any, Callable, Mapping

import jsonschema
from flask import Response

from cloudtwin.engine.connection import REPORT_DELAYS
from cloudtwin.engine.faults import FAULT_KINDS
from cloudtwin.engine.faults.base import Outcome


def schema_and_parser_agree(kind: str, fields: Mapping[str, Any]) -> bool:
    """Whether the kind takes these fields; its schema and `from_dict` must say the same."""
    action = FAULT_KINDS[kind]
    raw = {"type": kind, **fields}
    by_schema = jsonschema.Draft202012Validator(action.schema()).is_valid(raw)
    try:
        action.from_dict(raw)
        by_parser = True
    except (ValueError, TypeError):
        by_parser = False
    assert by_schema == by_parser, f"{kind} {dict(fields)}: schema says {by_schema}, parser says {by_parser}"
    return by_parser


def outcome(kind: str, seed: int = 1, **fields: Any) -> Outcome:
    """The decision of a kind built from these fields, drawn from a seeded generator."""
    action = FAULT_KINDS[kind].from_dict({"type": kind, **fields})
    assert action.to_dict() == FAULT_KINDS[kind].from_dict(action.to_dict()).to_dict()  # round trip
    return action.apply(random.Random(seed))


class CountingAnswer:
    """An answer that counts how often the handler ran."""

    def __init__(self, body: bytes = b'{"items": [1, 2, 3], "total": 3}', status: int = 200) -> None:
        self.body, self.status, self.calls = body, status, 0

    def __call__(self) -> Response:
        self.calls += 1
        return Response(self.body, status=self.status, content_type="application/json")


NO_SOCKET: dict[str, Any] = {}  # the in-process WSGI transport's environ has no client socket
REPORTING: dict[str, Any] = {REPORT_DELAYS: True}  # ... and a caller that counts delays instead of waiting
Answer = Callable[[], Response]
