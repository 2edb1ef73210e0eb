"""`cloudtwin spec lint` passes the bundled documents and catches each kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cloudtwin.cli import main
from cloudtwin.harness.lint import lint_document

GOOD = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/things": {"post": {
            "operationId": "createThing",
            "requestBody": {"content": {"application/json": {
                "schema": {"type": "object", "properties": {"size": {"type": "integer"}}},
                "example": {"size": 3}}}},
            "responses": {"201": {"description": "made", "links": {
                "Get": {"operationId": "getThing", "parameters": {"thing_id": "$response.body#/id"}}}}},
        }},
        "/things/{thing_id}": {
            "parameters": [{"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {"operationId": "getThing", "responses": {"200": {"description": "ok"}}},
        },
    },
}


def _lint(tmp_path: Path, document: dict) -> list[str]:
    path = tmp_path / "doc.yaml"
    path.write_text(yaml.safe_dump(document))
    return lint_document(path)


def test_the_bundled_documents_pass() -> None:
    assert main(["spec", "lint"]) == 0


def test_a_good_document_passes(tmp_path: Path) -> None:
    assert _lint(tmp_path, GOOD) == []


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda d: d["paths"]["/things"]["post"].pop("operationId"), "no operationId"),
        (lambda d: d["paths"]["/things/{thing_id}"]["get"].update(operationId="createThing"), "also used by"),
        (lambda d: d["paths"]["/things"]["post"]["requestBody"]["content"]["application/json"].update(
            example={"size": "three"}), "does not match its schema"),
        (lambda d: d["paths"]["/things"]["post"]["responses"]["201"]["links"]["Get"].update(operationId="nope"),
         "no operation nope"),
        (lambda d: d["paths"]["/things"]["post"]["responses"]["201"]["links"]["Get"].update(
            parameters={"widget_id": "$response.body#/id"}), "has no parameter widget_id"),
        (lambda d: d.update({"x-cloudtwin": {"errors": {}}}), "lacks engine keys"),
        (lambda d: d.pop("info"), "not valid OpenAPI"),
    ],
)
def test_each_mistake_is_reported(tmp_path: Path, breakage, expected: str) -> None:  # type: ignore[no-untyped-def]
    import copy

    document = copy.deepcopy(GOOD)
    breakage(document)
    problems = _lint(tmp_path, document)
    assert any(expected in p for p in problems), problems
