"""Genesis compute v1 against spec/genesis.yaml: every operation, then resource flows (stateful).

In-process by default; `CLOUDTWIN_CONTRACT_BASE_URL` (+ `CLOUDTWIN_CONTRACT_TOKEN`) points the
same tests at a served twin or the real API. Seeded and derandomized: every run sends the same
requests. See cloudtwin.harness.contract for the config.
"""

from __future__ import annotations

from cloudtwin.harness import contract

target = contract.load("genesis")
schema = target.schema


@schema.parametrize()
def test_operation(case):
    target.reset()  # every case starts from the fixtures, the clock frozen at contract.FROZEN_AT
    case.call_and_validate(additional_checks=target.checks)


TestGenesisFlows = target.state_machine().TestCase
