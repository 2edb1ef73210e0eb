"""The scenario step `expect_verdict`: judge the twin's journal so far and match the verdicts.

    - expect_verdict:
        filter: {operation: createInstance}        # provider, account, operation (optional)
        outcome: fail                              # the worst of the selected verdicts
        rules:                                     # selectors into {rule: {outcome, count, figures}}
          duplicates.outcome: fail
          duplicates.figures.duplicates: 1
          cost.figures.costs.USD.per_hour: {gte: 2.99}
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from ..matching import Mismatch, check_body
from . import Options, fault_windows, judge
from .registry import worst

FILTER_KEYS = ("provider", "account", "operation")


def expect_verdict(runner: Any, raw: Mapping[str, Any]) -> str:
    from ..runner import StepFailure

    spec = runner._sub(dict(raw))
    entries = json.loads(runner._admin_raw("GET", "/journal", None, {"limit": 10000}).text)["entries"]
    rules = json.loads(runner._admin_raw("GET", "/faults", None, None).text).get("faults", [])
    options = Options(**{k: v for k, v in (spec.get("options") or {}).items()})
    report = judge(entries, options, windows=fault_windows(rules))
    where = {k: v for k, v in (spec.get("filter") or {}).items() if k in FILTER_KEYS}
    chosen = [v for v in report.verdicts if all(getattr(v, k) == value for k, value in where.items())]
    document = summary(chosen)
    problems: list[Mismatch] = []
    if "outcome" in spec:
        problems += check_body(worst([v.outcome for v in chosen]), {"$": spec["outcome"]})  # none: nothing failed
    problems += check_body(document, dict(spec.get("rules") or {}))
    if problems:
        raise StepFailure("verdict expectation not met", [Mismatch(f"verdict {m.where}", m.expected, m.actual)
                                                          for m in problems],
                          {"verdicts": [v.to_dict() for v in chosen]})
    described = ", ".join(f"{rule} {found['outcome']}" for rule, found in document.items())
    return f"{len(chosen)} verdicts match ({described})"


def summary(verdicts: list[Any]) -> dict[str, Any]:
    """rule -> the worst outcome, how many verdicts, and the figures of the worst one."""
    out: dict[str, Any] = {}
    for verdict in verdicts:
        current = out.get(verdict.rule)
        if current is None:
            out[verdict.rule] = {"outcome": verdict.outcome, "count": 1, "figures": verdict.figures}
            continue
        current["count"] += 1
        if worst([current["outcome"], verdict.outcome]) != current["outcome"]:
            current["outcome"], current["figures"] = verdict.outcome, verdict.figures
    return out
