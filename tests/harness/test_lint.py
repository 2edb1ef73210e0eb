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


# Schema keywords -------------------------------------------------------------------------------
def test_an_unquoted_comma_in_a_flow_mapping_is_an_unknown_keyword(tmp_path: Path) -> None:
    import copy

    document = copy.deepcopy(GOOD)
    path = tmp_path / "doc.yaml"
    text = yaml.safe_dump(document)
    text += ("components:\n  schemas:\n    Thing: {type: object, properties: {size: {type: integer, minimun: 1}}}\n"
             "    Other: {type: object, properties: {size: {type: integer, description: The size (in GB, rounded up).}}}\n")
    path.write_text(text)
    problems = lint_document(path)
    assert any("unknown schema keyword 'rounded up).'" in p for p in problems), problems
    assert any("/components/schemas/Thing/properties/size: unknown schema keyword 'minimun'" in p
               for p in problems), problems


def test_extensions_and_openapi_keywords_are_not_unknown(tmp_path: Path) -> None:
    import copy

    document = copy.deepcopy(GOOD)
    document["components"] = {"schemas": {"Pet": {
        "type": "object", "x-anything": 1, "discriminator": {"propertyName": "kind"}, "example": {"kind": "a"},
        "externalDocs": {"url": "https://example.invalid"}, "properties": {"kind": {"type": "string"}}}}}
    assert _lint(tmp_path, document) == []


# Fixture rows ------------------------------------------------------------------------------------
def _fixture_case(tmp_path: Path, rows_text: str) -> tuple[Path, Path]:
    import copy

    specs, fixtures = tmp_path / "spec", tmp_path / "fixtures"
    (fixtures / "acme").mkdir(parents=True)
    specs.mkdir()
    document = copy.deepcopy(GOOD)
    document["components"] = {"schemas": {"Thing": {
        "type": "object", "required": ["id", "size", "created_at"],
        "properties": {"id": {"type": "string"}, "size": {"type": "integer"}, "created_at": {"type": "string"},
                       "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}}},
        "Tag": {"type": "object", "properties": {"name": {"type": "string"}}}}}
    document["x-cloudtwin"] = {"errors": {key: {"status": 400} for key in __import__(
        "cloudtwin.engine.errors", fromlist=["ENGINE_DEFAULTS"]).ENGINE_DEFAULTS}, "fixtures": [
        {"file": "acme/things.yaml", "rows": "/things", "schema": "#/components/schemas/Thing",
         "served_with": ["created_at"], "twin_only": ["secret"]}]}
    (specs / "acme.yaml").write_text(yaml.safe_dump(document))
    (fixtures / "acme" / "things.yaml").write_text(rows_text)
    return specs, fixtures


def test_fixture_rows_that_fit_their_schema_pass(tmp_path: Path) -> None:
    specs, fixtures = _fixture_case(tmp_path, "things:\n  - {id: a, size: 1, secret: s, tags: [{name: x}]}\n")
    assert lint_document(specs / "acme.yaml", fixtures) == []


@pytest.mark.parametrize(("rows", "line", "expected"), [
    ("things:\n  - {id: a, size: 1}\n  - {id: b, size: big}\n", 3, "things/1/size: not a valid Thing"),
    ("things:\n  - {id: a, size: 1}\n  - id: b\n    size: 2\n    tags: [{name: Ubuntu (NVIDIA, PyTorch)}]\n", 5,
     "things/1/tags/0: field 'PyTorch)' is not documented in Thing"),
    ("things:\n  - {id: a}\n", 2, "not a valid Thing: \"size\" is a required property"),
    ("things:\n  - {id: a, size: 1, colour: red}\n", 2, "field 'colour' is not documented in Thing"),
])
def test_a_fixture_row_that_could_not_be_served_is_reported_with_file_and_line(tmp_path: Path, rows, line,
                                                                                expected) -> None:
    specs, fixtures = _fixture_case(tmp_path, rows)
    problems = lint_document(specs / "acme.yaml", fixtures)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{fixtures / 'acme' / 'things.yaml'}:{line}: "), problems
    assert expected in problems[0], problems


def test_the_catalog_bug_is_caught(tmp_path: Path) -> None:
    import shutil

    from cloudtwin.engine import resources

    fixtures = tmp_path / "fixtures"
    shutil.copytree(resources.fixtures_dir(), fixtures)
    catalog = fixtures / "genesis" / "catalog.yaml"
    catalog.write_text(catalog.read_text().replace('"Ubuntu ML (NVIDIA, PyTorch)"', "Ubuntu ML (NVIDIA, PyTorch)"))
    problems = lint_document(resources.spec_dir() / "genesis.yaml", fixtures)
    assert problems == [f"{catalog}:9: catalog/0/images/0: field 'PyTorch)' is not documented in GET /catalog "
                        "response item"]


def test_lint_of_a_missing_folder_is_one_line_and_exit_2(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert main(["spec", "lint", "--folder", "/nonexistent"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "/nonexistent" in err and "Traceback" not in err
    assert main(["spec", "lint", "--folder", str(tmp_path)]) == 2  # a folder with no documents
    assert main(["spec", "lint", "--fixtures", str(tmp_path / "nope")]) == 2
