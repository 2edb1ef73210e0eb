"""What a fault rule may name: the providers, APIs, operations, methods and lifecycle kinds and
states the twin actually serves. A rule naming anything else could never fire; it is refused
with the valid values, so that a typo is found when the rule is written, not when it stays silent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping


class FaultRuleError(ValueError):
    """A fault rule that is malformed or could never fire."""


@dataclass(frozen=True)
class ApiTarget:
    provider: str
    api: str
    methods_by_operation: Mapping[str, frozenset[str]]


@dataclass
class FaultTargets:
    apis: list[ApiTarget] = field(default_factory=list)
    # provider -> resource kind -> every state the kind can be in (from its lifecycles fixture)
    lifecycles: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)

    def check(self, raw: Mapping[str, Any]) -> None:
        match = raw.get("match") or {}
        if not isinstance(match, Mapping):
            raise FaultRuleError("`match` must be an object")
        provider = match.get("provider")
        providers = sorted({a.provider for a in self.apis} | set(self.lifecycles))
        if provider is not None and provider not in providers:
            raise FaultRuleError(f"No provider {provider!r}; valid: {_listed(providers)}")
        lifecycle = raw.get("lifecycle")
        if isinstance(lifecycle, Mapping):
            self._check_lifecycle(provider, lifecycle)
            return
        scope = [a for a in self.apis if provider in (None, a.provider)]
        api = match.get("api")
        if api is not None:
            names = sorted({a.api for a in scope})
            if api not in names:
                raise FaultRuleError(f"No API {api!r}" + (f" in {provider}" if provider else "")
                                     + f"; valid: {_listed(names)}")
            scope = [a for a in scope if a.api == api]
        operation = match.get("operation")
        operations = {op: methods for a in scope for op, methods in a.methods_by_operation.items()}
        if operation is not None:
            if operation not in operations:
                where = api or provider
                raise FaultRuleError(f"No operation {operation!r}" + (f" in {where}" if where else "")
                                     + f"; valid: {_listed(sorted(operations))}")
            operations = {operation: operations[operation]}
        method = match.get("method")
        if method is not None:
            methods = sorted(set().union(*operations.values())) if operations else []
            if str(method).upper() not in methods:
                raise FaultRuleError(f"Method {method!r} never reaches " + (f"{operation}" if operation else "an operation")
                                     + f" here; valid: {_listed(methods)}")

    def _check_lifecycle(self, provider: str | None, lifecycle: Mapping[str, Any]) -> None:
        scope = {p: kinds for p, kinds in self.lifecycles.items() if provider in (None, p)}
        kind, state = lifecycle.get("kind"), lifecycle.get("state")
        if kind is None or state is None:
            return  # the rule's own parser names the missing field
        kinds = sorted({k for kinds in scope.values() for k in kinds})
        where = f" in {provider}" if provider else ""
        if kind not in kinds:
            raise FaultRuleError(f"No lifecycle kind {kind!r}{where}; valid: {_listed(kinds)}")
        states = sorted({s for kinds in scope.values() for s in kinds.get(kind, ())})
        if state not in states:
            raise FaultRuleError(f"No {kind}{where} is ever in state {state!r}; valid: {_listed(states)}")


def _listed(values: Iterable[str]) -> str:
    return ", ".join(values) or "none"


def lifecycle_states(raw: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """kind -> states, from a lifecycles fixture: each timed state and each state one leads to."""
    out: dict[str, frozenset[str]] = {}
    for kind, states in (raw or {}).items():
        names = {str(s) for s in (states or {}) if s != "_field"}
        names |= {str(t["then"]) for s, t in (states or {}).items()
                  if s != "_field" and isinstance(t, Mapping) and t.get("then") is not None}
        out[str(kind)] = frozenset(names)
    return out
