"""Fault injection: rules that match requests, a schedule that decides when they fire,
and one small registered class per kind of fault (`kinds/`)."""

from .base import FAULT_KINDS, FaultAction, Outcome, register
from .rules import FaultEngine, FaultRule, Match, Schedule
from .targets import FaultRuleError, FaultTargets, lifecycle_states
from . import kinds  # noqa: F401  (registers the built-in kinds)

__all__ = ["FAULT_KINDS", "FaultAction", "FaultEngine", "FaultRule", "FaultRuleError", "FaultTargets", "Match",
           "Outcome", "Schedule", "lifecycle_states", "register"]
