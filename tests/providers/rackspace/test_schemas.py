"""The served JSON schemas, and the rule that every body the twin returns satisfies them.

Every image, member and task body any test in this folder receives is validated against
the served schema by conftest's client (`check_against_served_schema`), as
python-glanceclient does client-side; this module checks the documents themselves.
"""

from __future__ import annotations

import jsonschema
import pytest

from .conftest import WEB_GOLDEN, check_against_served_schema


@pytest.mark.parametrize("name", ["image", "images", "member", "members", "task", "tasks"])
def test_schemas_are_served_from_the_fixtures(rax, twin, name):
    reply = rax.get(f"/v2/schemas/{name}")
    assert reply.status_code == 200
    assert reply.get_json() == twin.fixtures["rackspace"][f"schemas/{name}"]
    assert reply.get_json()["name"] == name
    jsonschema.Draft4Validator.check_schema(reply.get_json())


def test_image_schema_is_permissive_with_string_extras(rax):
    schema = rax.get("/v2/schemas/image").get_json()
    assert schema["additionalProperties"] == {"type": "string"}
    assert "deactivated" in schema["properties"]["status"]["enum"]
    assert schema["properties"]["visibility"]["enum"] == ["public", "private"]
    assert [link["rel"] for link in schema["links"]] == ["self", "enclosure", "describedby"]


def test_task_schema_knows_export(rax):
    assert rax.get("/v2/schemas/task").get_json()["properties"]["type"]["enum"] == ["import", "export"]


def test_the_check_catches_a_body_glanceclient_would_refuse(client, rax):
    body = rax.get(f"/v2/images/{WEB_GOLDEN}").get_json()
    with pytest.raises(jsonschema.ValidationError):
        check_against_served_schema(client, {**body, "cache_in_nova": True})
    with pytest.raises(jsonschema.ValidationError):
        check_against_served_schema(client, {**body, "visibility": "shared"})


def test_bodies_of_every_kind_validate(rax, other):
    """A tour through every body kind; the client validates each one as it arrives."""
    rax.get("/v2/images?limit=2")
    rax.patch_json(WEB_GOLDEN, [{"op": "add", "path": "/com.example.x", "value": "1"}])
    rax.post(f"/v2/images/{WEB_GOLDEN}/members", json={"member": "100003"})
    rax.get(f"/v2/images/{WEB_GOLDEN}/members")
    other.put(f"/v2/images/{WEB_GOLDEN}/members/100002", json={"status": "accepted"})
    task = rax.post("/v2/tasks", json={"type": "import", "input": {"import_from": "images/ubuntu-custom.vhd"}})
    rax.advance(65)
    done = rax.get(f"/v2/tasks/{task.get_json()['id']}").get_json()
    rax.get(f"/v2/images/{done['result']['image_id']}")
    rax.get("/v2/tasks")
    snapshot = rax.action("create_snapshot_image", account="default", name=None)
    check_against_served_schema(rax.client, snapshot)
