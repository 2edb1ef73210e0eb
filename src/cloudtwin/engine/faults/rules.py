"""Fault rules: what they match, when they fire, and the engine that decides."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, Mapping

from ..clock import iso, parse_iso
from ..ids import Ids
from .base import FaultAction, Outcome, build_action
from .lifecycle import LifecycleFault
from .targets import FaultRuleError, FaultTargets


@dataclass(frozen=True)
class Request:
    """What a rule can match on."""

    provider: str
    api: str
    operation: str | None
    method: str
    path: str
    account: str | None


@dataclass
class Match:
    provider: str | None = None
    api: str | None = None
    operation: str | None = None
    method: str | None = None
    path: str | None = None  # a regular expression searched in the request path
    account: str | None = None

    def __post_init__(self) -> None:
        self._path_re = re.compile(self.path) if self.path else None

    def matches(self, request: Request) -> bool:
        return (
            (self.provider is None or self.provider == request.provider)
            and (self.api is None or self.api == request.api)
            and (self.operation is None or self.operation == request.operation)
            and (self.method is None or self.method.upper() == request.method)
            and (self.account is None or self.account == request.account)
            and (self._path_re is None or self._path_re.search(request.path) is not None)
        )

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in (("provider", self.provider), ("api", self.api), ("operation", self.operation),
                                  ("method", self.method), ("path", self.path), ("account", self.account)) if v}


MATCH_FIELDS = frozenset({"provider", "api", "operation", "method", "path", "account"})


@dataclass
class Schedule:
    """When a matching request fires the rule."""

    mode: str = "always"  # always | nth | first | every | probability
    n: int = 1  # nth: the nth match; first: the first n; every: every nth match
    probability: float = 1.0
    window_start: float | None = None  # virtual time
    window_end: float | None = None
    budget: int | None = None  # fire at most this many times

    MODES = ("always", "nth", "first", "every", "probability")

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "Schedule":
        mode = str(raw.get("mode", "always"))
        if mode not in cls.MODES:
            raise ValueError(f"schedule mode must be one of {', '.join(cls.MODES)}")
        n = int(raw.get("n", 1))
        if n < 1:
            raise ValueError("n must be at least 1")
        probability = float(raw.get("probability", 1.0))
        if not 0.0 <= probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        window = raw.get("window") or {}
        budget = raw.get("budget")
        return cls(
            mode=mode, n=n, probability=probability,
            window_start=parse_iso(window["start"]) if window.get("start") else None,
            window_end=parse_iso(window["end"]) if window.get("end") else None,
            budget=None if budget is None else int(budget),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mode": self.mode}
        if self.mode in ("nth", "first", "every"):
            out["n"] = self.n
        if self.mode == "probability":
            out["probability"] = self.probability
        if self.window_start is not None or self.window_end is not None:
            out["window"] = {k: iso(v) for k, v in (("start", self.window_start), ("end", self.window_end)) if v}
        if self.budget is not None:
            out["budget"] = self.budget
        return out


@dataclass
class FaultRule:
    """A request rule (`action`) or a lifecycle rule (`lifecycle`), with one schedule."""

    id: str
    match: Match
    schedule: Schedule
    action: FaultAction | None = None
    lifecycle: LifecycleFault | None = None
    description: str = ""
    matched: int = 0
    fired: int = 0

    @classmethod
    def from_dict(cls, rule_id: str, raw: Mapping[str, Any]) -> "FaultRule":
        action_raw, lifecycle_raw = raw.get("action"), raw.get("lifecycle")
        if (action_raw is None) == (lifecycle_raw is None):
            raise FaultRuleError("a fault rule needs either an `action` (with a `type`) or a `lifecycle`")
        if not isinstance(raw.get("match") or {}, Mapping):
            raise FaultRuleError("`match` must be an object")
        match_raw = dict(raw.get("match") or {})
        unknown = sorted(set(match_raw) - MATCH_FIELDS)
        if unknown:
            raise FaultRuleError(f"unknown match fields {', '.join(unknown)}; valid: {', '.join(sorted(MATCH_FIELDS))}")
        if lifecycle_raw is not None:
            if not isinstance(lifecycle_raw, Mapping):
                raise FaultRuleError("`lifecycle` must be an object")
            unused = sorted(set(match_raw) - {"provider", "account"})
            if unused:
                raise FaultRuleError(f"a lifecycle rule matches on provider and account only, not {', '.join(unused)}")
        elif not isinstance(action_raw, Mapping):
            raise FaultRuleError("`action` must be an object with a `type`")
        return cls(
            id=rule_id,
            match=Match(**match_raw),
            schedule=Schedule.from_dict(raw.get("schedule") or {}),
            action=build_action(action_raw) if action_raw is not None else None,
            lifecycle=LifecycleFault.from_dict(lifecycle_raw, match_raw) if lifecycle_raw is not None else None,
            description=str(raw.get("description", "")),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "description": self.description, "match": self.match.to_dict(),
            "schedule": self.schedule.to_dict(), "matched": self.matched, "fired": self.fired,
        }
        if self.action is not None:
            out["action"] = self.action.to_dict()
        if self.lifecycle is not None:
            out["lifecycle"] = self.lifecycle.to_dict()
        return out


@dataclass
class Decision:
    rule: FaultRule
    outcome: Outcome
    draw: float | None
    at: float
    nth: int = 0  # which match of its rule this was: "the nth match" replays this very firing

    def describe(self) -> dict[str, Any]:
        """What the journal says about it: the rule, its kind, the draw, and the kind's own note."""
        kind = self.rule.action.kind if self.rule.action is not None else "lifecycle"
        return {"rule": self.rule.id, "kind": kind, "draw": self.draw, "at": iso(self.at), "nth": self.nth,
                **self.outcome.note}


class FaultEngine:
    """The rule list and the decision it makes for each request."""

    def __init__(self, ids: Ids, targets: FaultTargets | None = None) -> None:
        self._ids = ids
        self.targets = targets  # what rules may name; None accepts any name (a bare engine)
        self._rules: dict[str, FaultRule] = {}
        self._counter = 0
        self._lock = threading.Lock()

    def add(self, raw: Mapping[str, Any]) -> FaultRule:
        if not isinstance(raw, Mapping):
            raise FaultRuleError("a fault rule is an object")
        if self.targets is not None:
            self.targets.check(raw)
        with self._lock:
            self._counter += 1
            rule_id = str(raw.get("id") or f"fault-{self._counter}")
            if rule_id in self._rules:
                raise ValueError(f"a fault rule with id {rule_id} exists")
            rule = FaultRule.from_dict(rule_id, raw)
            self._rules[rule_id] = rule
            return rule

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            return self._rules.pop(rule_id, None) is not None

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[FaultRule]:
        return list(self._rules.values())

    def decide(self, request: Request, now: float) -> Decision | None:
        """The first request rule that fires for this request.

        Every matching rule counts the request (so "the 2nd listImages" means the 2nd call,
        whatever other rules did with the 1st); only the first that fires is applied.
        """
        if not self._rules:
            return None
        with self._lock:
            candidates = [r for r in self._rules.values() if r.action is not None and r.match.matches(request)]
            return self._choose(candidates, now, lambda rule: rule.action.apply(self._ids.rng("faults")))

    def decide_lifecycle(self, provider: str, row: Any, state: str, now: float) -> Decision | None:
        """The first lifecycle rule that fires as this row enters this state."""
        if not self._rules:
            return None
        with self._lock:
            candidates = [r for r in self._rules.values()
                          if r.lifecycle is not None and r.lifecycle.matches(provider, row, state)]
            return self._choose(candidates, now, lambda rule: Outcome())

    def _choose(self, candidates: list[FaultRule], now: float, outcome_of: Any) -> Decision | None:
        chosen: Decision | None = None
        for rule in candidates:
            fires, draw = self._fires(rule, now, apply=chosen is None)
            if fires and chosen is None:
                chosen = Decision(rule=rule, outcome=outcome_of(rule), draw=draw, at=now, nth=rule.matched)
        return chosen

    def _fires(self, rule: FaultRule, now: float, *, apply: bool) -> tuple[bool, float | None]:
        """Count a match and apply the schedule (caller holds the lock)."""
        schedule = rule.schedule
        if schedule.window_start is not None and now < schedule.window_start:
            return False, None
        if schedule.window_end is not None and now >= schedule.window_end:
            return False, None
        if schedule.budget is not None and rule.fired >= schedule.budget:
            return False, None
        rule.matched += 1
        draw = None
        if schedule.mode == "nth":
            fires = rule.matched == schedule.n
        elif schedule.mode == "first":
            fires = rule.matched <= schedule.n
        elif schedule.mode == "every":
            fires = rule.matched % schedule.n == 0
        elif schedule.mode == "probability":
            draw = self._ids.random("faults")
            fires = draw < schedule.probability
        else:
            fires = True
        if fires and apply:
            rule.fired += 1
        return fires, draw

    def export(self) -> dict[str, Any]:
        return {"counter": self._counter, "rules": [r.to_dict() for r in self._rules.values()]}

    def restore(self, state: Mapping[str, Any]) -> None:
        with self._lock:
            self._rules = {}
            for raw in state.get("rules", []):
                if self.targets is not None:
                    self.targets.check(raw)
                rule = FaultRule.from_dict(raw["id"], raw)
                rule.matched, rule.fired = int(raw.get("matched", 0)), int(raw.get("fired", 0))
                self._rules[rule.id] = rule
            self._counter = int(state.get("counter", 0))
