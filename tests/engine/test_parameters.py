"""How the engine reads path and query parameters, on a small spec of its own (no provider)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cloudtwin.engine.errors import ApiError
from cloudtwin.engine.spec import Spec
from cloudtwin.engine.validation import RawRequest, ValidInput, validate


def _spec(extension: dict[str, Any] | None = None, *, documents_404: bool = True) -> Spec:
    responses: dict[str, Any] = {"200": {"description": "ok"}, "400": {"description": "bad"}}
    if documents_404:
        responses["404"] = {"description": "none"}

    def array(name: str, **how: Any) -> dict[str, Any]:
        return {"name": name, "in": "query", **how, "schema": {"type": "array", "items": {"type": "string"}}}

    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "x-cloudtwin": {"mount": "/t", **(extension or {})},
        "paths": {
            "/things/{thing_id}": {"get": {
                "operationId": "getThing",
                "parameters": [{"name": "thing_id", "in": "path", "required": True,
                                "schema": {"type": "integer", "minimum": 1}}],
                "responses": responses,
            }},
            "/named/{name}": {"get": {
                "operationId": "getNamed",
                "parameters": [{"name": "name", "in": "path", "required": True,
                                "schema": {"type": "string", "pattern": "^N[0-9]+$"}}],
                "responses": responses,
            }},
            "/things": {"get": {
                "operationId": "listThings",
                "parameters": [
                    array("tag"),  # query default: style form, explode true
                    array("exploded", style="form", explode=True),
                    array("csv", style="form", explode=False),
                    array("spaced", style="spaceDelimited", explode=False),
                    array("piped", style="pipeDelimited", explode=False),
                    {"name": "counts", "in": "query", "explode": False,
                     "schema": {"type": "array", "items": {"type": "integer"}}},
                ],
                "responses": {"200": {"description": "ok"}},
            }},
        },
    }
    return Spec(Path("test.yaml"), document, "test")


def _call(spec: Spec, operation_id: str, path: dict[str, str] | None = None,
          query: dict[str, list[str]] | None = None) -> ValidInput:
    raw = RawRequest("GET", path or {}, query or {}, {}, None, b"")
    return validate(spec.operations[operation_id], raw)


def _error(spec: Spec, operation_id: str, **kw: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        _call(spec, operation_id, **kw)
    return caught.value


# Path parameters -----------------------------------------------------------------------
def test_an_integer_path_value_is_coerced() -> None:
    assert _call(_spec(), "getThing", {"thing_id": "42"}).path == {"thing_id": 42}


@pytest.mark.parametrize("text", ["427195.0", "abc", "1e3", "", "4 2"])
def test_a_path_value_that_is_not_an_integer_names_no_resource(text: str) -> None:
    error = _error(_spec(), "getThing", path={"thing_id": text})
    assert error.key == "not_found" and error.message is None  # the provider's own not-found body


def test_without_a_documented_404_the_type_error_stays_a_validation_error() -> None:
    error = _error(_spec(documents_404=False), "getThing", path={"thing_id": "abc"})
    assert error.key == "invalid_request" and error.extra["location"] == "path"


def test_an_integer_out_of_its_range_and_a_pattern_mismatch_stay_validation_errors() -> None:
    assert _error(_spec(), "getThing", path={"thing_id": "0"}).key == "invalid_request"
    assert _error(_spec(), "getNamed", path={"name": "X1"}).key == "invalid_request"


@pytest.mark.parametrize("key", ["not_found", "invalid_request"])
def test_the_spec_may_name_one_answer_for_every_malformed_path_value(key: str) -> None:
    spec = _spec({"path_mismatch": key})
    for operation_id, path in (("getThing", {"thing_id": "abc"}), ("getThing", {"thing_id": "0"}),
                               ("getNamed", {"name": "X1"})):
        assert _error(spec, operation_id, path=path).key == key
    assert _call(spec, "getNamed", {"name": "N7"}).path == {"name": "N7"}


# Array query parameters ----------------------------------------------------------------
def test_an_exploded_array_repeats_the_key_and_keeps_commas() -> None:
    spec = _spec()
    for name in ("tag", "exploded"):
        assert _call(spec, "listThings", query={name: ["a,b"]}).query == {name: ["a,b"]}
        assert _call(spec, "listThings", query={name: ["a", "b,c"]}).query == {name: ["a", "b,c"]}


def test_a_non_exploded_array_is_a_delimited_list() -> None:
    query = _call(_spec(), "listThings", query={
        "csv": ["a,b"], "spaced": ["a b"], "piped": ["a|b"], "counts": ["1,2"]}).query
    assert query == {"csv": ["a", "b"], "spaced": ["a", "b"], "piped": ["a", "b"], "counts": [1, 2]}


def test_a_non_exploded_array_item_of_the_wrong_type_is_a_validation_error() -> None:
    error = _error(_spec(), "listThings", query={"counts": ["1,x"]})
    assert error.key == "invalid_request" and error.extra["field"] == "counts/1"
