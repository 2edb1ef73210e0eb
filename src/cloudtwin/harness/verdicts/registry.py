"""Rules register here by name; the engine runs them in registration order."""

from __future__ import annotations

from typing import Callable

from .model import Timeline, Verdict

Rule = Callable[[Timeline], list[Verdict]]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        return fn
    return register


def worst(outcomes: list[str]) -> str:
    return "fail" if "fail" in outcomes else "warn" if "warn" in outcomes else "pass"
