"""Resilience verdicts: how a client behaved while the cloud failed, judged from the journal.

    report = judge(entries)            # entries: a journal's `entries`, live, replayed or saved
    report.outcome                     # pass | warn | fail (the worst verdict)
    report.verdicts                    # one per rule, provider, account and operation

Each rule is one module of `rules/`; each verdict carries its evidence as journal seqs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from . import rules  # noqa: F401  (registers every rule)
from .model import OUTCOMES, Options, Timeline, Verdict
from .registry import RULES, worst

__all__ = ["judge", "Report", "Options", "Verdict", "RULES", "fault_windows"]


@dataclass
class Report:
    verdicts: list[Verdict]

    @property
    def outcome(self) -> str:
        return worst([v.outcome for v in self.verdicts])

    def counts(self) -> dict[str, int]:
        return {o: sum(1 for v in self.verdicts if v.outcome == o) for o in OUTCOMES}

    def select(self, rule: str | None = None, **where: Any) -> list[Verdict]:
        return [v for v in self.verdicts if (rule is None or v.rule == rule)
                and all(getattr(v, k) == value for k, value in where.items())]

    def to_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "counts": self.counts(), "verdicts": [v.to_dict() for v in self.verdicts]}

    def render(self) -> str:
        if not self.verdicts:
            return "no verdicts: the journal shows no failure a client had to handle"
        lines = []
        for v in self.verdicts:
            where = "/".join(str(p) for p in (v.provider, v.account, v.operation) if p)
            seqs = ", ".join(str(s) for s in v.evidence[:8]) + ("…" if len(v.evidence) > 8 else "")
            lines.append(f"{v.outcome.upper():4}  {v.rule:<11} {where}: {v.message}" + (f"  [seq {seqs}]" if seqs else ""))
        counts = self.counts()
        lines.append(f"{self.outcome.upper()}: {counts['pass']} pass, {counts['warn']} warn, {counts['fail']} fail")
        return "\n".join(lines)


def judge(entries: Iterable[Mapping[str, Any]], options: Options | None = None, *,
          windows: Mapping[str, float] | None = None, rules: Iterable[str] | None = None) -> Report:
    """Run every rule (or the named ones) over a journal's entries."""
    timeline = Timeline(entries, options, windows)
    chosen = list(rules) if rules is not None else list(RULES)
    unknown = [name for name in chosen if name not in RULES]
    if unknown:
        raise ValueError(f"unknown verdict rule {', '.join(unknown)}; known: {', '.join(RULES)}")
    verdicts: list[Verdict] = []
    for name in chosen:
        verdicts.extend(RULES[name](timeline))
    return Report(verdicts)


def fault_windows(rules_listing: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """rule id -> virtual instant its window closed, from the twin's `GET /_twin/faults`."""
    from ...engine.clock import parse_iso

    out = {}
    for raw in rules_listing:
        end = ((raw.get("schedule") or {}).get("window") or {}).get("end")
        if end:
            out[str(raw["id"])] = parse_iso(end)
    return out
