"""Lifecycle faults: a resource that stays in a state (for a while or for ever), that
becomes active and then errors, a task that fails with a given message, a delete that
never completes. Targeted by provider, kind, state, name pattern, account, nth entry."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..clock import parse_duration
from ..lifecycle import Transition
from ..store import Row


@dataclass
class LifecycleFault:
    provider: str | None
    kind: str
    state: str
    name: str | None = None  # a regular expression searched in the resource's name
    account: str | None = None
    after: float | None = None  # how long the state lasts (None with forever: never ends)
    forever: bool = False
    then: str | None = None  # where it goes next (default: where it normally goes)
    message: str | None = None  # for providers that report one (e.g. a failed task)
    _name_re: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._name_re = re.compile(self.name) if self.name else None
        if not self.forever and self.after is None and self.then is None:
            raise ValueError("a lifecycle fault needs `after`, `forever: true` or `then`")

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], match: Mapping[str, Any]) -> "LifecycleFault":
        allowed = {"kind", "state", "name", "after", "forever", "then", "message"}
        unknown = set(raw) - allowed
        if unknown:
            raise ValueError(f"unknown lifecycle fields: {', '.join(sorted(unknown))}")
        if "kind" not in raw or "state" not in raw:
            raise ValueError("a lifecycle fault needs `kind` and `state`")
        return cls(
            provider=match.get("provider"), account=match.get("account"), kind=str(raw["kind"]),
            state=str(raw["state"]), name=raw.get("name"),
            after=None if raw.get("after") is None else parse_duration(raw["after"]),
            forever=bool(raw.get("forever", False)), then=raw.get("then"), message=raw.get("message"),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "state": self.state}
        for key in ("name", "after", "then", "message"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.forever:
            out["forever"] = True
        return out

    def matches(self, provider: str, row: Row, state: str) -> bool:
        return (
            (self.provider is None or self.provider == provider)
            and self.kind == row.kind
            and self.state == state
            and (self.account is None or self.account == row.account)
            and (self._name_re is None or self._name_re.search(str(row.data.get("name", ""))) is not None)
        )

    def transition(self, normal: Transition | None) -> Transition:
        if self.forever:
            return Transition(after=None)
        then = self.then if self.then is not None else (normal.then if normal else None)
        remove = bool(normal and normal.remove and self.then is None)
        after = self.after if self.after is not None else (normal.after if normal else 0.0)
        return Transition(after=after, then=then, remove=remove)
