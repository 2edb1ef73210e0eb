"""Request validation generated from the specs: path, query, body; coercion; media types; sizes."""

from __future__ import annotations

import dataclasses
import json

import pytest

from cloudtwin.engine.provider import Api
from twinhelp import create_volume, expect_error, get, instance_body

# A provider API's request body limit unless it sets its own (none of the bundled ones does).
MAX_BODY_BYTES = next(f.default for f in dataclasses.fields(Api) if f.name == "max_body_bytes")


def test_query_integers_are_coerced_and_checked(gc):
    for i in range(3):
        create_volume(gc, name=f"v{i}")
    body = get(gc, "/volumes?per_page=2&page=2")
    assert body["per_page"] == 2 and body["page"] == 2 and len(body["volumes"]) == 1
    expect_error(gc.get("/volumes?per_page=2.0"), 400, "02002")
    expect_error(gc.get("/volumes?per_page=0x10"), 400, "02002")


def test_repeated_scalar_query_parameter_takes_the_last(gc):
    for i in range(3):
        create_volume(gc, name=f"v{i}")
    assert get(gc, "/volumes?per_page=1&per_page=2")["per_page"] == 2


def test_unknown_query_parameters_are_ignored(gc):
    assert get(gc, "/volumes?colour=red")["total_count"] == 0


def test_query_enum(gc):
    expect_error(gc.get("/images?type=CLOUD-IMAGE"), 400, "02002")


def test_boolean_query_parameters(admin, gc):
    gc.get("/instances")
    assert admin.get("/journal?fault=true")["entries"] == []
    assert admin.get("/journal?fault=false")["entries"]
    assert admin.call("GET", "/journal?fault=yes", 400).get_json()["error"]["code"] == "invalid_request"


def test_body_errors_point_at_the_field(gc):
    rules = [{"protocol": "tcp", "direction": "ingress"}, {"protocol": "gre", "direction": "ingress"}]
    body = expect_error(gc.post("/security-groups", json={"name": "x", "region": "NORD-NO-KRS-1", "rules": rules}),
                        400, "02002")
    assert "rules/1/protocol" in body["message"]


def test_missing_required_body(gc, admin):
    body = expect_error(gc.post("/volumes"), 400, "02002")
    assert "body is required" in body["message"]
    admin.call("POST", "/clock/set", 400)


def test_optional_body_may_be_absent(admin):
    assert admin.call("POST", "/reset", 204).status_code == 204
    assert admin.call("POST", "/clock/freeze", 200).get_json()["frozen"] is True


def test_additional_properties_false(admin):
    resp = admin.call("POST", "/clock/freeze", 400, json={"at": "2030-01-01T00:00:00Z", "extra": 1})
    assert "extra" in resp.get_json()["error"]["message"]


def test_formats_are_validated(admin):
    admin.call("POST", "/clock/set", 400, json={"now": "2024-13-45T99:00:00Z"})
    admin.call("POST", "/clock/set", 400, json={"now": 1700000000})


def test_media_type_is_case_insensitive_and_may_carry_parameters(gc):
    for content_type in ("Application/JSON", "application/json;charset=UTF-8"):
        resp = gc.post("/volumes", data=json.dumps({"name": "v", "size": 1, "region": "NORD-NO-KRS-1"}),
                       content_type=content_type)
        assert resp.status_code == 201, content_type


def test_body_that_is_not_utf8_is_malformed(gc):
    expect_error(gc.post("/volumes", data=b'{"name": "\xff"}', content_type="application/json"), 400, "02003")


def test_deeply_nested_json_is_refused_not_crashed(gc):
    payload = '{"name": "x", "size": 1, "region": "NORD-NO-KRS-1", "description": ' + "[" * 20000 + "]" * 20000 + "}"
    resp = gc.post("/volumes", data=payload, content_type="application/json")
    expect_error(resp, 400)
    assert gc.get("/volumes").get_json()["total_count"] == 0


def test_body_limit_is_exact(gc):
    base = json.dumps({"name": "v", "size": 1, "region": "NORD-NO-KRS-1", "description": ""})
    pad = MAX_BODY_BYTES - len(base)
    at_limit = base[:-1] + " " * pad + "}"  # JSON whitespace before the closing brace
    assert len(at_limit) == MAX_BODY_BYTES
    assert gc.post("/volumes", data=at_limit, content_type="application/json").status_code == 201
    over = base[:-1] + " " * (pad + 1) + "}"
    expect_error(gc.post("/volumes", data=over, content_type="application/json"), 413, "02009")


def test_the_control_plane_takes_state_documents_beyond_the_provider_limit(admin):
    state = admin.call("GET", "/state", 200).get_json()
    state["padding"] = "x" * (2 * MAX_BODY_BYTES)  # an exported state of a busy twin is large
    admin.call("PUT", "/state", 204, data=json.dumps(state), content_type="application/json")


def test_a_body_on_an_operation_without_one_is_ignored(gc):
    resp = gc.client.open("/genesis/compute/v1/instances", method="GET", headers=gc.headers, data="garbage",
                          content_type="text/plain")
    assert resp.status_code == 200


@pytest.mark.parametrize("field,value", [("name", 5), ("name", None), ("is_protected", "yes"), ("disk_size", 80.5),
                                         ("ssh_keys", "abc"), ("ssh_keys", ["k"] * 51), ("metadata", [])])
def test_schema_types(gc, field, value):
    expect_error(gc.post("/instances", json=instance_body(**{field: value}) | {field: value}), 400, "02002")
    assert get(gc, "/instances")["total_count"] == 0


def test_every_operation_compiles_validators(twin):
    spec = twin.specs["genesis"]
    with_body = [op for op in spec.operations.values() if op.body is not None]
    assert with_body and all("application/json" in op.body.validators for op in with_body)
    assert all(op.success_status in (200, 201, 204) for op in spec.operations.values())
    assert {op.operation_id for op in spec.operations.values() if op.success_status == 204} == {
        "deleteInstance", "performInstanceAction", "deleteSnapshot", "deleteVolume", "deleteFilesystem",
        "deleteSecurityGroup", "deleteSSHKey", "deleteFloatingIP"}
    assert {op.operation_id for op in spec.operations.values() if op.success_status == 201} == {
        "createInstance", "createSnapshot", "cloneSnapshot", "createInstanceSnapshot", "createVolume",
        "createFilesystem", "createSecurityGroup", "createSSHKey", "createFloatingIP"}
