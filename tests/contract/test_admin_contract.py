"""The twin's control plane (`/_twin`) against spec/twin-admin.yaml, served with an admin token."""

from __future__ import annotations

from cloudtwin.harness import contract

target = contract.load("twin-admin")
schema = target.schema


@schema.parametrize()
def test_operation(case):
    target.reset()
    case.call_and_validate(additional_checks=target.checks)


TestAdminFlows = target.state_machine().TestCase
