"""Auth headers and 401s, error shapes, 204s, 405/Allow, unknown routes, bodies (malformed, 415, 413), the spec."""

from __future__ import annotations

import json

import pytest
import yaml

from twinhelp import (
    BASE, DEFAULT_TOKEN, LEGACY_TOKEN, OTHER_TOKEN, create_instance, create_ssh_key, expect_empty_204, expect_error,
    YAML_LOADER, instance_body,
)


@pytest.mark.parametrize("headers", [
    {"Authorization": f"Bearer {DEFAULT_TOKEN}"},
    {"Authorization": f"bearer {DEFAULT_TOKEN}"},
    {"X-Auth-Token": DEFAULT_TOKEN},
])
def test_both_auth_headers_are_accepted(client, gc, headers):
    key = create_ssh_key(gc)
    resp = client.get(BASE + "/ssh-keys", headers=headers)
    assert resp.status_code == 200
    assert resp.get_json()["ssh_keys"][0]["id"] == key["id"]


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer gc-wrong"},
    {"Authorization": f"Basic {DEFAULT_TOKEN}"},
    {"Authorization": DEFAULT_TOKEN},
    {"X-Auth-Token": "gc-wrong"},
    {"X-Auth-Token": ""},
    {"Authorization": "Bearer "},
])
def test_missing_or_bad_credentials_answer_401_in_the_provider_shape(client, headers):
    resp = client.get(BASE + "/instances", headers=headers)
    body = expect_error(resp, 401, "02004")
    assert body["message"] == "invalid or missing API token"


def test_401_is_checked_before_the_body(client):
    resp = client.post(BASE + "/instances", data="{not json", content_type="application/json")
    expect_error(resp, 401, "02004")


def test_every_authenticated_operation_refuses_an_unknown_token(twin, client):
    spec = twin.specs["genesis"]
    assert len(spec.operations) == 46
    open_operations = set()
    for operation in spec.operations.values():
        path = operation.path.replace("{region}", "NORD-NO-KRS-1")
        for name in ("instance_id", "snapshot_id", "volume_id", "filesystem_id", "security_group_id", "ssh_key_id",
                     "floating_ip_id"):
            path = path.replace("{" + name + "}", "x")
        resp = client.open(BASE + path, method=operation.method, headers={"X-Auth-Token": "bad"}, json={})
        if operation.needs_auth:
            expect_error(resp, 401, "02004")
        else:
            open_operations.add(operation.operation_id)
            assert resp.status_code == 200
    assert open_operations == {"getInstanceAvailability"}


def test_each_account_token_maps_to_its_account(client, gc):
    create_instance(gc)
    for token, count in ((DEFAULT_TOKEN, 1), (OTHER_TOKEN, 0), (LEGACY_TOKEN, 0)):
        resp = client.get(BASE + "/instances", headers={"X-Auth-Token": token})
        assert resp.get_json()["total_count"] == count


def test_204_answers_have_no_body_and_no_content_type(gc):
    key = create_ssh_key(gc)
    resp = gc.delete(f"/ssh-keys/{key['id']}")
    expect_empty_204(resp)
    assert resp.headers.get("Content-Length", "0") == "0"


def test_json_answers_carry_application_json(gc):
    for resp in (gc.get("/instances"), gc.get("/instances/nope"), gc.post("/instances", json={})):
        assert resp.headers["Content-Type"] == "application/json"
        json.loads(resp.get_data())


def test_undeclared_method_answers_405_with_allow(gc):
    body = expect_error(gc.put("/instances", json={}), 405, "02007")
    assert body["message"] == "method not allowed"
    resp = gc.put("/instances", json={})
    assert {m.strip() for m in resp.headers["Allow"].split(",")} == {"GET", "HEAD", "POST"}
    resp = gc.post("/instances/abc", json={})
    expect_error(resp, 405, "02007")
    assert {m.strip() for m in resp.headers["Allow"].split(",")} == {"GET", "HEAD", "PATCH", "DELETE"}
    resp = gc.delete("/quotas")
    expect_error(resp, 405, "02007")
    assert {m.strip() for m in resp.headers["Allow"].split(",")} == {"GET", "HEAD"}
    expect_error(gc.client.open(BASE + "/instances", method="TRACE", headers=gc.headers), 405, "02007")


def test_options_lists_the_allowed_methods(gc):
    resp = gc.client.options(BASE + "/ssh-keys/abc")
    assert resp.status_code == 204
    assert {m.strip() for m in resp.headers["Allow"].split(",")} == {"GET", "HEAD", "PATCH", "DELETE", "OPTIONS"}


def test_head_is_get_without_a_body(gc):
    create_ssh_key(gc)
    resp = gc.client.head(BASE + "/ssh-keys", headers=gc.headers)
    assert resp.status_code == 200 and resp.get_data() == b""
    assert resp.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("path", ["/nope", "/instances/a/b/c", "/instances/", "/images/x", "/ssh-keys/a/actions", "/"])
def test_unknown_route_answers_02001(gc, path):
    body = expect_error(gc.get(path), 404, "02001")
    assert body["message"] == "Invalid route"


def test_unknown_route_without_token_is_still_a_route_error(client):
    expect_error(client.get(BASE + "/nope"), 404, "02001")


def test_path_outside_any_mount_answers_json_404(client):
    resp = client.get("/genesis/compute/v2/instances")
    assert resp.status_code == 404
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.get_json()["error"]["code"] == "route_not_found"


def test_malformed_json_answers_400_02003(gc):
    for payload in ("{not json", "[1, 2", "\xff\xfe", ""):
        resp = gc.post("/instances", data=payload.encode("latin-1"), content_type="application/json")
        if payload == "":
            expect_error(resp, 400, "02002")  # the body is required
        else:
            body = expect_error(resp, 400, "02003")
            assert "JSON" in body["message"]


def test_json_of_the_wrong_type_is_a_validation_error(gc):
    for payload in ("[]", "42", "null", '"x"'):
        expect_error(gc.post("/instances", data=payload, content_type="application/json"), 400, "02002")


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded", None])
def test_wrong_content_type_answers_415(gc, content_type):
    kwargs = {"data": json.dumps(instance_body())}
    if content_type:
        kwargs["content_type"] = content_type
    body = expect_error(gc.post("/instances", **kwargs), 415, "02010")
    assert "application/json" in body["message"]
    assert gc.get("/instances").get_json()["total_count"] == 0


def test_json_with_a_charset_is_accepted(gc):
    resp = gc.post("/instances", data=json.dumps(instance_body()), content_type="application/json; charset=utf-8")
    assert resp.status_code == 201


def test_oversized_body_answers_413(gc):
    payload = json.dumps({**instance_body(), "padding": "x" * (1024 * 1024)})
    body = expect_error(gc.post("/instances", data=payload, content_type="application/json"), 413, "02009")
    assert "1048576" in body["message"]
    assert gc.get("/instances").get_json()["total_count"] == 0


def test_validation_errors_name_the_field(gc):
    body = expect_error(gc.post("/instances", json=instance_body(region="MARS-1")), 400, "02002")
    assert "region" in body["message"]
    body = expect_error(gc.get("/instances?per_page=abc"), 400, "02002")
    assert "per_page" in body["message"]


def test_path_parameter_length_is_validated(gc):
    expect_error(gc.get("/instances/" + "x" * 65), 400, "02002")
    expect_error(gc.get("/instances/" + "x" * 64), 404, "02006")


def test_handler_crash_answers_500_in_the_provider_shape(gc, twin, monkeypatch):
    from cloudtwin.providers.genesis.handlers import handlers

    def boom(call):  # type: ignore[no-untyped-def]
        raise RuntimeError("bug")

    monkeypatch.setitem(handlers._by_operation, "listQuotas", boom)
    body = expect_error(gc.get("/quotas"), 500, "02013")
    assert "bug" not in body["message"]
    assert gc.get("/reservations").status_code == 200  # the twin keeps serving


def test_spec_is_served_with_servers_pointing_at_the_twin(client):
    resp = client.get(BASE + "/openapi.yaml")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/yaml")
    document = yaml.load(resp.get_data(as_text=True), Loader=YAML_LOADER)
    assert document["openapi"] == "3.1.0"
    assert document["servers"][0]["url"] == "http://localhost/genesis/compute/v1"
    assert "https://api.genesiscloud.com/compute/v1" in [s["url"] for s in document["servers"]]
    operation_ids = {op["operationId"] for item in document["paths"].values() for op in item.values()
                     if isinstance(op, dict) and "operationId" in op}
    assert len(operation_ids) == 46


def test_served_spec_follows_the_host(client):
    resp = client.get(BASE + "/openapi.yaml", base_url="http://twin.test:9999")
    document = yaml.load(resp.get_data(as_text=True), Loader=YAML_LOADER)
    assert document["servers"][0]["url"] == "http://twin.test:9999/genesis/compute/v1"
