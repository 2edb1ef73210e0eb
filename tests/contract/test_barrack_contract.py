"""Barrack GPU cloud against spec/barrack.yaml: every operation, then resource flows (stateful).

In-process by default (`CLOUDTWIN_CONTRACT_BASE_URL` points it elsewhere); seeded and
derandomized. The example budget is smaller than Genesis' because Barrack has twice the
operations: the suite must stay inside the CI budget (see cloudtwin.harness.contract).
"""

from __future__ import annotations

from cloudtwin.harness import contract

target = contract.load("barrack", max_examples=8, overrides=contract.CI_OVERRIDES)
schema = target.schema


@schema.parametrize()
def test_operation(case):
    target.reset()
    case.call_and_validate(additional_checks=target.checks)


TestBarrackFlows = target.state_machine(max_examples=25).TestCase
