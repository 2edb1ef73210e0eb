"""Rackspace Cloud Images v2, Identity v2.0 and Cloud Files against their specs: every
operation, then flows through the OpenAPI links (stateful). In-process, seeded, derandomized.

Images and Files authenticate with an Identity token the twin issues for the default account
(`contract.CLIENT_TOKEN`); a reset issues the same token again.
"""

from __future__ import annotations

from cloudtwin.harness import contract

images = contract.load("rackspace-images", max_examples=10, overrides=contract.CI_OVERRIDES)
identity = contract.load("rackspace-identity", max_examples=10, overrides=contract.CI_OVERRIDES)
files = contract.load("rackspace-files", max_examples=10, overrides=contract.CI_OVERRIDES)


@images.schema.parametrize()
def test_images_operation(case):
    images.reset()
    case.call_and_validate(additional_checks=images.checks)


@identity.schema.parametrize()
def test_identity_operation(case):
    identity.reset()
    case.call_and_validate(additional_checks=identity.checks)


@files.schema.parametrize()
def test_files_operation(case):
    files.reset()
    case.call_and_validate(additional_checks=files.checks)


TestImagesFlows = images.state_machine(max_examples=25).TestCase
TestFilesFlows = files.state_machine(max_examples=10).TestCase
