"""spec/twin-admin.yaml documents what the engine accepts: each fault kind with its own fields,
each provider's lifecycle kinds and states (equal to the bundled fixtures), and its examples work."""

from __future__ import annotations

import pytest
import yaml

from cloudtwin.engine import resources
from cloudtwin.engine.faults import FAULT_KINDS, lifecycle_states
from cloudtwin.engine.faults.base import fields_of
from cloudtwin.engine.yamlio import load_shared

DOCUMENT = load_shared(resources.spec_dir() / "twin-admin.yaml")
SCHEMAS = DOCUMENT["components"]["schemas"]


def _resolve(ref: str) -> dict:
    return SCHEMAS[ref.rsplit("/", 1)[-1]]


def test_every_fault_kind_has_its_own_schema_with_exactly_its_fields():
    action = SCHEMAS["FaultAction"]
    by_type = {_resolve(o["$ref"])["properties"]["type"]["const"]: _resolve(o["$ref"]) for o in action["oneOf"]}
    assert set(by_type) == set(FAULT_KINDS)
    assert {k: _resolve(v)["properties"]["type"]["const"] for k, v in action["discriminator"]["mapping"].items()} \
        == {k: k for k in FAULT_KINDS}
    for kind, schema in by_type.items():
        assert set(schema["properties"]) == set(fields_of(kind)), kind
        assert schema["additionalProperties"] is False


@pytest.mark.parametrize("kind", sorted(FAULT_KINDS))
def test_the_spec_documents_each_fault_kind_as_the_kind_declares_itself(kind):
    """A kind's module declares its schema (description, fields); the spec carries exactly that,
    so a new kind's module says what to paste into spec/twin-admin.yaml."""
    action = FAULT_KINDS[kind]
    name = action.component()
    wanted = yaml.safe_dump({name: action.schema()}, sort_keys=False, width=120)
    assert SCHEMAS.get(name) == action.schema(), f"spec/twin-admin.yaml components.schemas should hold:\n{wanted}"
    assert {"$ref": f"#/components/schemas/{name}"} in SCHEMAS["FaultAction"]["oneOf"]
    assert SCHEMAS["FaultAction"]["discriminator"]["mapping"][kind] == f"#/components/schemas/{name}"


def test_lifecycle_kinds_and_states_per_provider_are_the_bundled_fixtures():
    lifecycle = SCHEMAS["LifecycleFault"]
    documented = {p: {k: set(v) for k, v in kinds.items()} for p, kinds in lifecycle["x-cloudtwin-lifecycles"].items()}
    fixtures = resources.fixtures_dir()
    bundled = {p.name: {k: set(v) for k, v in lifecycle_states(load_shared(p / "lifecycles.yaml")).items()}
               for p in sorted(fixtures.iterdir()) if (p / "lifecycles.yaml").is_file()}
    assert documented == bundled
    assert set(lifecycle["properties"]["kind"]["enum"]) == {k for kinds in bundled.values() for k in kinds}
    assert set(lifecycle["properties"]["state"]["enum"]) == {
        s for kinds in bundled.values() for states in kinds.values() for s in states}


def test_the_stray_keys_of_an_unquoted_comma_are_gone():
    state = SCHEMAS["LifecycleFault"]["properties"]["state"]
    assert set(state) == {"type", "description", "enum"}


EXAMPLES = DOCUMENT["paths"]["/faults"]["post"]["requestBody"]["content"]["application/json"]["examples"]


def test_there_is_an_example_for_every_fault_kind_and_every_lifecycle_kind():
    kinds = {e["value"]["action"]["type"] for e in EXAMPLES.values() if "action" in e["value"]}
    assert kinds == set(FAULT_KINDS)
    lifecycles = {(e["value"]["match"]["provider"], e["value"]["lifecycle"]["kind"])
                  for e in EXAMPLES.values() if "lifecycle" in e["value"]}
    documented = SCHEMAS["LifecycleFault"]["x-cloudtwin-lifecycles"]
    assert lifecycles == {(p, k) for p, kinds in documented.items() for k in kinds}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_example_rule_is_accepted_and_described_back(admin, name):
    rule = admin.fault(EXAMPLES[name]["value"])
    assert rule["match"] == EXAMPLES[name]["value"]["match"]
