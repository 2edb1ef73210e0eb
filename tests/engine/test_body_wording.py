"""Provider-owned wording for request bodies, and mount aliases, on a small spec (no provider).

A spec names the error key for a body that fails a subschema (`x-cloudtwin-error`, the
deepest one on the failed keyword's way wins) or that is missing (`requestBody.x-cloudtwin-error`);
a `*/*` body takes any Content-Type; `x-cloudtwin.mount_aliases` serves the paths again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cloudtwin.engine.errors import ApiError
from cloudtwin.engine.spec import Spec
from cloudtwin.engine.validation import RawRequest, validate


def _spec() -> Spec:
    ok = {"200": {"description": "ok"}}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "x-cloudtwin": {"mount": "/t", "mount_aliases": ["/t/again"]},
        "paths": {
            "/ops": {"post": {
                "operationId": "postOps",
                "requestBody": {"required": True, "x-cloudtwin-error": "body_expected",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ops"}}}},
                "responses": ok,
            }},
            "/plain": {"post": {
                "operationId": "postPlain",
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": {"type": "object", "required": ["a"]}}}},
                "responses": ok,
            }},
            "/blob": {"put": {
                "operationId": "putBlob",
                "requestBody": {"content": {"*/*": {"schema": {"type": "string"}}}},
                "responses": ok,
            }},
        },
        "components": {"schemas": {
            "Ops": {"type": "array", "x-cloudtwin-error": "not_a_list", "items": {"$ref": "#/components/schemas/Op"}},
            "Op": {"type": "object", "x-cloudtwin-error": "op_not_object", "allOf": [
                {"x-cloudtwin-error": "op_missing", "required": ["op"]},
                {"properties": {"path": {"x-cloudtwin-error": "path_bad", "type": "string", "pattern": "^/"}}},
                {"properties": {"value": {"type": "integer"}}},
            ]},
        }},
    }
    return Spec(Path("test.yaml"), document, "test")


def _post(spec: Spec, operation_id: str, body: bytes, content_type: str | None = "application/json") -> Any:
    raw = RawRequest("POST", {}, {}, {}, content_type, body)
    return validate(spec.operations[operation_id], raw)


@pytest.mark.parametrize("body,key,value", [
    (b'{"op": "x"}', "not_a_list", '{"op": "x"}'),
    (b'[1]', "op_not_object", "1"),
    (b'[{"path": "/a"}]', "op_missing", '{"path": "/a"}'),
    (b'[{"op": "x", "path": "a"}]', "path_bad", "a"),
    (b'[{"op": "x", "path": "/a", "value": "v"}]', "op_not_object", "v"),  # nearest annotation above
])
def test_a_failed_subschema_raises_the_key_the_spec_names_there(body, key, value):
    with pytest.raises(ApiError) as raised:
        _post(_spec(), "postOps", body)
    assert raised.value.key == key and raised.value.message is None  # the provider's table words it
    assert raised.value.extra["value"] == value and raised.value.extra["location"] == "body"
    assert raised.value.extra["detail"]


def test_without_an_annotation_the_engine_keeps_its_own_invalid_request():
    with pytest.raises(ApiError) as raised:
        _post(_spec(), "postPlain", b"{}")
    assert raised.value.key == "invalid_request" and "Invalid body" in str(raised.value.message)


def test_a_missing_body_raises_the_request_bodys_key():
    with pytest.raises(ApiError) as raised:
        _post(_spec(), "postOps", b"")
    assert raised.value.key == "body_expected"
    with pytest.raises(ApiError) as engine_words:
        _post(_spec(), "postPlain", b"")
    assert engine_words.value.key == "invalid_request"


@pytest.mark.parametrize("content_type", [None, "application/json", "application/x-vhd; charset=binary"])
def test_a_wildcard_body_takes_any_content_type_as_sent(content_type):
    valid = validate(_spec().operations["putBlob"], RawRequest("PUT", {}, {}, {}, content_type, b"{not json"))
    assert valid.body == b"{not json"


def test_mount_aliases_serve_every_path_again():
    from flask import Flask

    from cloudtwin.engine.errors import ErrorTable
    from cloudtwin.engine.provider import Api, Handlers, Provider
    from cloudtwin.engine.routing import MountedApi, mount

    spec = _spec()
    api = Api("test", "test.yaml", Handlers(), authenticate=lambda info, ctx: None,  # type: ignore[arg-type,return-value]
              render_error=lambda error, info: None)  # type: ignore[arg-type,return-value]
    mounted = MountedApi(Provider("p", [api]), api, spec, ErrorTable({}), "/p/t", frozenset())
    app = Flask("t")
    mount(app, mounted, lambda m, ops: lambda **kw: next(iter(ops.values())).path)  # the spec path served
    client = app.test_client()
    assert client.post("/p/t/ops").get_data(as_text=True) == "/ops"
    assert client.post("/p/t/again/ops").get_data(as_text=True) == "/ops"
    assert client.put("/p/t/again/blob").get_data(as_text=True) == "/blob"
