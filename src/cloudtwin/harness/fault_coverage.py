"""Fault coverage for a user's test suite (`pytest --cloudtwin-coverage`).

After each test that used a cloudtwin fixture, its twin's journal says which faults fired on
which operations; the test's outcome says whether the code under test survived them. The
terminal summary shows operation × fault kind: exercised and survived, exercised and failed,
and, for every operation the suite called, the fault kinds it never tried there.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from ..engine.faults.base import FAULT_KINDS
from .handle import TwinHandle


class FaultCoverage:
    def __init__(self) -> None:
        # (provider, operation, kind) -> {"survived": n, "failed": n}
        self.exercised: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: {"survived": 0, "failed": 0})
        self.called: set[tuple[str, str]] = set()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: Any):  # type: ignore[no-untyped-def]
        outcome = yield
        report = outcome.get_result()
        if report.when != "call":
            return
        twins = [v for v in getattr(item, "funcargs", {}).values() if isinstance(v, TwinHandle)]
        for handle in twins:
            self.record(handle.twin.journal.query({}, limit=0), survived=report.passed)

    def record(self, entries: list[dict[str, Any]], *, survived: bool) -> None:
        for entry in entries:
            provider = str(entry.get("provider", ""))
            if provider.startswith("_"):
                continue  # the control plane
            fault = entry.get("fault") or {}
            if entry.get("method"):
                operation = str(entry.get("operation"))
                self.called.add((provider, operation))
            else:  # a lifecycle fault: the resource kind and state stand in for an operation
                operation = f"{(fault.get('resource') or {}).get('kind')} {fault.get('state')}"
            if fault:
                self.exercised[(provider, operation, str(fault.get("kind")))]["survived" if survived else "failed"] += 1

    def never(self) -> dict[tuple[str, str], list[str]]:
        kinds = sorted(FAULT_KINDS)
        out = {}
        for provider, operation in sorted(self.called):
            missing = [k for k in kinds if (provider, operation, k) not in self.exercised]
            if missing:
                out[(provider, operation)] = missing
        return out

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        write = terminalreporter.write_line
        terminalreporter.write_sep("-", "cloudtwin fault coverage")
        if not self.called and not self.exercised:
            write("no test used a cloudtwin fixture")
            return
        width = max([len(f"{p} {o}") for p, o, _ in self.exercised] + [30])
        write(f"{'operation':<{width}}  {'fault':<12} {'survived':>8} {'failed':>6}")
        for (provider, operation, kind), counts in sorted(self.exercised.items()):
            write(f"{provider + ' ' + operation:<{width}}  {kind:<12} {counts['survived']:>8} {counts['failed']:>6}")
        never = self.never()
        if never:
            write(f"never exercised ({sum(len(v) for v in never.values())} operation x fault pairs "
                  f"among the {len(self.called)} operations called):")
            for (provider, operation), kinds in never.items():
                write(f"  {provider} {operation}: {', '.join(kinds)}")
