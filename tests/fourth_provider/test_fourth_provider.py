"""A provider from outside the twin's package (tests/fourth_provider/notes) is served,
validated, journaled, faulted, moved through its lifecycle and contract-tested by the engine
with no change outside its own package."""

from __future__ import annotations

from typing import Any

import pytest

from cloudtwin.app import create_app
from cloudtwin.engine.twin import Twin
from cloudtwin.harness import contract

from . import notes

BASE = "/notes/v1"


@pytest.fixture()
def served() -> tuple[Twin, Any, dict[str, str]]:
    twin = Twin([notes.provider()], seed=5, fixtures=notes.FIXTURES)
    client = create_app(twin).test_client()
    account = twin.store.accounts["default"]
    return twin, client, {"Authorization": "Bearer " + account.credentials["notes"]["token"]}


def test_served_validated_and_moved_through_its_lifecycle(served: Any) -> None:
    twin, client, headers = served
    created = client.post(f"{BASE}/notes", json={"text": "buy milk"}, headers=headers)
    assert created.status_code == 201 and created.json["status"] == "drafting"
    refused = client.post(f"{BASE}/notes", json={"text": ""}, headers=headers)
    assert refused.status_code == 400 and refused.json["error"]["code"] == "invalid_request"
    assert client.get(f"{BASE}/notes").status_code == 401
    twin.advance(6)
    assert client.get(f"{BASE}/notes/{created.json['id']}", headers=headers).json["status"] == "saved"
    assert client.get(f"{BASE}/notes/nope", headers=headers).json["error"]["code"] == "not_found"


def test_journaled_and_faulted(served: Any) -> None:
    twin, client, headers = served
    rule = client.post("/_twin/faults", json={"match": {"provider": "notes", "operation": "listNotes"},
                                              "action": {"type": "error", "status": 503}})
    assert rule.status_code == 201, rule.json
    faulted = client.get(f"{BASE}/notes", headers=headers)
    assert faulted.status_code == 503 and faulted.json["error"]["code"] == "unavailable"
    entries = twin.journal.query({"provider": "notes"})
    assert [e.get("operation") for e in entries][-1:] == ["listNotes"] and entries[-1]["fault"]


def test_accounts_cannot_see_each_others_notes(served: Any) -> None:
    twin, client, headers = served
    other = twin.add_account({"id": "a-stranger"})
    theirs = {"Authorization": "Bearer " + other.credentials["notes"]["token"]}
    note = client.post(f"{BASE}/notes", json={"text": "mine"}, headers=headers).json
    assert client.get(f"{BASE}/notes/{note['id']}", headers=theirs).status_code == 404
    assert client.get(f"{BASE}/notes", headers=theirs).json == {"notes": []}


# Contract: schemathesis through the harness, with the provider's own profile -----------------
PROFILE = contract.Profile(name="notes", provider="notes", spec_file=str(notes.SPEC), auth_scheme="bearer",
                           credential="token", error_code_pointer="/error/code",
                           error_message_pointer="/error/message")


def _contract() -> contract.Contract:
    import schemathesis

    twin = Twin([notes.provider()], seed=contract.TWIN_SEED, fixtures=notes.FIXTURES)
    contract.reset_twin(twin)
    app = create_app(twin)
    app.testing = True
    base_url = "http://localhost/notes/v1"
    token = contract.default_credential(PROFILE, twin)
    config = contract.build_config(PROFILE, base_url=base_url, token=token, max_examples=10)
    schema = schemathesis.openapi.from_path(PROFILE.spec_path, config=config)
    schema.app = app
    return contract.Contract(PROFILE, schema, base_url, token, twin, app)


target = _contract()


@target.schema.parametrize()
def test_contract(case: Any) -> None:
    target.reset()
    case.call_and_validate(additional_checks=target.checks)


def test_its_declared_shape_follows_its_spec() -> None:
    import yaml

    from cloudtwin.engine.shapes import check_against_spec

    schemas = yaml.safe_load(notes.SPEC.read_text(encoding="utf-8"))["components"]["schemas"]
    assert check_against_spec(notes.Note, schemas) == []
