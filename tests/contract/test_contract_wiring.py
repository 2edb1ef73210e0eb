"""The contract wiring catches a broken twin: each test breaks one thing and expects the failure code.

A schemathesis failure is a `FailureGroup`, a `BaseExceptionGroup` (not an `Exception`), so
the helper catches `BaseException` and collects the `ST...` codes of every failure inside.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

import hypothesis
import pytest

from cloudtwin.engine.provider import Rendered, Reply
from cloudtwin.harness import contract
from cloudtwin.providers.genesis.handlers import handlers as genesis_handlers


@pytest.fixture(scope="module")
def target() -> contract.Contract:
    return contract.load("genesis", in_process=True)


def _codes(exc: BaseException) -> Iterator[str]:
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code.startswith("ST"):
        yield code
    for inner in getattr(exc, "exceptions", ()):
        yield from _codes(inner)


def run(target: contract.Contract, operation_id: str, *, examples: int = 5) -> set[str]:
    """Generated positive cases of one operation through `call_and_validate`; the failure codes seen."""
    operation = target.schema.find_operation_by_id(operation_id)

    @hypothesis.settings(max_examples=examples, database=None, deadline=None, derandomize=True,
                         phases=[hypothesis.Phase.generate], report_multiple_bugs=False,
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(operation.as_strategy())
    def check(case: Any) -> None:
        target.reset()
        case.call_and_validate(additional_checks=target.checks)

    try:
        check()
    except BaseException as exc:  # FailureGroup is a BaseExceptionGroup
        codes = set(_codes(exc))
        if not codes:
            raise
        return codes
    return set()


def test_an_unbroken_operation_passes(target: contract.Contract) -> None:
    assert run(target, "listImages") == set()


def test_a_dropped_required_field_fails(target: contract.Contract, monkeypatch: pytest.MonkeyPatch) -> None:
    original = genesis_handlers.get("listImages")

    def without_total(call: Any) -> Any:
        page = original(call)  # type: ignore[misc]
        page.pop("total_count")
        return page

    monkeypatch.setitem(genesis_handlers._by_operation, "listImages", without_total)
    assert "ST108" in run(target, "listImages")  # response violates schema


def test_an_undocumented_status_fails(target: contract.Contract, monkeypatch: pytest.MonkeyPatch) -> None:
    original = genesis_handlers.get("listQuotas")
    monkeypatch.setitem(genesis_handlers._by_operation, "listQuotas",
                        lambda call: Reply(original(call), status=202))  # type: ignore[misc]
    assert "ST103" in run(target, "listQuotas")  # undocumented status code


def test_an_error_in_the_wrong_shape_fails(target: contract.Contract, monkeypatch: pytest.MonkeyPatch) -> None:
    mounted = next(m for m in target.app.extensions["cloudtwin.mounted"] if m.name == "genesis")
    monkeypatch.setattr(mounted.api, "render_error", lambda error, info: Rendered(
        json.dumps({"error": error.message}).encode(), "application/json"))
    codes = run(target, "getSSHKey")  # an unknown id: 404 in the broken shape
    assert "ST901" in codes  # the custom provider_error_shape check
    assert "ST108" in codes  # and the documented Error schema


def test_a_server_error_fails(target: contract.Contract, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(call: Any) -> Any:
        raise KeyError("a bug")

    monkeypatch.setitem(genesis_handlers._by_operation, "listReservations", crash)
    codes = run(target, "listReservations")
    assert "ST101" in codes  # server error


def test_a_wrong_token_fails() -> None:
    """401 is documented everywhere; only leaving it out of positive_data_acceptance catches a bad token."""
    assert "ST202" in run(contract.load("genesis", token="gc-not-a-token", in_process=True), "listImages")


def test_the_twin_validator_may_not_refuse_valid_input(target: contract.Contract,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a business rule may answer 400 to valid input, a 400 from schema validation still fails."""
    from cloudtwin.engine.errors import ApiError

    def strict(call: Any) -> Any:
        raise ApiError("invalid_request", "Invalid body at 'name': too strict")

    monkeypatch.setitem(genesis_handlers._by_operation, "createSSHKey", strict)
    assert "ST901" in run(target, "createSSHKey")


def test_the_config_is_explicit(target: contract.Contract) -> None:
    config = target.schema.config
    assert config.seed == contract.SEED
    assert config.generation.database == "none"
    assert target.base_url == "http://localhost/genesis/compute/v1"
    assert "401" not in contract.POSITIVE_STATUSES and "403" not in contract.POSITIVE_STATUSES
    assert target.twin.clock.frozen
