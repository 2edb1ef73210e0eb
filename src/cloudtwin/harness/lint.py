"""`cloudtwin spec lint`: every document in spec/ is valid OpenAPI, has an operationId on
every operation, examples that satisfy their schemas, links that resolve, the error keys the
engine raises, schema objects with known keywords only, and fixture rows (those the document
declares in `x-cloudtwin.fixtures`) that satisfy the schema of the resource they seed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Iterator

import jsonschema
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from ..engine import resources
from ..engine.errors import ENGINE_DEFAULTS
from ..engine.fixture_schemas import check_rows, describe, seeds_of
from ..engine.spec import HTTP_METHODS, Spec, SpecError
from ..engine.yamlio import load_shared

# JSON Schema 2020-12 (every vocabulary) and the keywords OpenAPI 3.1 adds to a Schema Object.
SCHEMA_KEYWORDS = frozenset({
    "$schema", "$id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary", "$comment", "$defs",
    "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "prefixItems", "items",
    "contains", "properties", "patternProperties", "additionalProperties", "propertyNames",
    "unevaluatedItems", "unevaluatedProperties", "type", "enum", "const", "multipleOf", "maximum",
    "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems",
    "minItems", "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties", "required",
    "dependentRequired", "format", "contentEncoding", "contentMediaType", "contentSchema", "title",
    "description", "default", "deprecated", "readOnly", "writeOnly", "examples",
    "discriminator", "xml", "externalDocs", "example",
})
# Keywords whose value is a schema, a list of schemas, or a map of names to schemas.
_ONE = ("additionalProperties", "items", "contains", "not", "if", "then", "else", "propertyNames",
        "unevaluatedItems", "unevaluatedProperties", "contentSchema")
_MANY = ("allOf", "anyOf", "oneOf", "prefixItems")
_NAMED = ("properties", "patternProperties", "$defs", "dependentSchemas")


def lint_document(path: Path, fixtures: Path | None = None) -> list[str]:
    document = load_shared(path)
    problems: list[str] = []
    try:
        validate_openapi(document)
    except Exception as exc:  # the validator raises its own family of errors
        problems.append(f"not valid OpenAPI: {str(exc).splitlines()[0]}")
    operations = dict(_operations(document))
    seen: dict[str, str] = {}
    for where, operation in operations.items():
        op_id = operation.get("operationId")
        if not op_id:
            problems.append(f"{where}: no operationId")
        elif op_id in seen:
            problems.append(f"{where}: operationId {op_id} also used by {seen[op_id]}")
        else:
            seen[op_id] = where
    problems += _examples(document)
    problems += _links(document, operations)
    problems += _unknown_keywords(document)
    problems += _fixture_rows(path, document, fixtures or resources.fixtures_dir())
    if "x-cloudtwin" in document and path.name != "twin-admin.yaml":
        keys = set((document["x-cloudtwin"].get("errors") or {}))
        missing = sorted(set(ENGINE_DEFAULTS) - keys)
        if missing:
            problems.append(f"x-cloudtwin.errors lacks engine keys: {', '.join(missing)}")
    return problems


def _escape(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def _schemas(document: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every place the document holds a Schema Object, as (JSON pointer, schema)."""
    for name, schema in ((document.get("components") or {}).get("schemas") or {}).items():
        yield f"/components/schemas/{_escape(name)}", schema

    def walk(node: Any, pointer: str) -> Iterator[tuple[str, Any]]:
        if isinstance(node, dict):
            for key, value in node.items():
                here = f"{pointer}/{_escape(key)}"
                if key == "schema" and isinstance(value, dict):
                    yield here, value
                elif not str(key).startswith("x-"):
                    yield from walk(value, here)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, f"{pointer}/{i}")

    for section in ("paths", "webhooks"):
        yield from walk(document.get(section) or {}, f"/{section}")
    for section in ("parameters", "headers", "responses", "requestBodies"):
        yield from walk((document.get("components") or {}).get(section) or {}, f"/components/{section}")


def _unknown_keywords(document: dict[str, Any]) -> list[str]:
    """A key no JSON Schema or OpenAPI vocabulary defines is a mistake (a misspelling, or YAML's
    `{description: a, b}`: an unquoted comma in a flow mapping makes `b` a key), silently ignored
    by every validator. Extensions (`x-…`) are allowed."""
    problems: list[str] = []

    def check(schema: Any, pointer: str) -> None:
        if not isinstance(schema, dict):
            return
        for key in schema:
            if key not in SCHEMA_KEYWORDS and not str(key).startswith("x-"):
                problems.append(f"{pointer}: unknown schema keyword {key!r}")
        for key in _ONE:
            if isinstance(schema.get(key), dict):
                check(schema[key], f"{pointer}/{key}")
        for key in _MANY:
            for i, item in enumerate(schema.get(key) or [] if isinstance(schema.get(key), list) else []):
                check(item, f"{pointer}/{key}/{i}")
        for key in _NAMED:
            if isinstance(schema.get(key), dict):
                for name, item in schema[key].items():
                    check(item, f"{pointer}/{key}/{_escape(name)}")

    for pointer, schema in _schemas(document):
        check(schema, pointer)
    return problems


def _fixture_rows(path: Path, document: dict[str, Any], fixtures: Path) -> list[str]:
    """Every row the document declares it serves, against the schema of what it becomes."""
    seeds = seeds_of(document)
    if not seeds:
        return []
    try:
        spec = Spec(path, document, path.stem)
    except (SpecError, KeyError, TypeError, ValueError) as exc:
        return [f"cannot index the document to check its fixtures: {exc}"]
    problems: list[str] = []
    for seed in seeds:
        file = fixtures / seed.file
        if not file.is_file():
            problems.append(f"x-cloudtwin.fixtures: no fixture file {file}")
            continue
        try:
            data = load_shared(file)
            found = check_rows(spec, seed, data)
        except Exception as exc:  # a broken fixture file or declaration is a lint finding, not a crash
            problems.append(f"{file}: cannot check: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
            continue
        problems += [describe(problem, [fixtures]) for problem in found]
    return problems


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in (document.get("paths") or {}).items():
        for method in HTTP_METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def _examples(document: dict[str, Any]) -> list[str]:
    registry: Registry = Registry().with_resource("urn:spec", DRAFT202012.create_resource(document))
    problems = []
    for pointer, schema, example in _walk_examples(document, ""):
        validator = jsonschema.Draft202012Validator(
            {"$ref": "urn:spec#" + pointer} if pointer else schema, registry=registry)
        error = next(iter(validator.iter_errors(example)), None)
        if error is not None:
            problems.append(f"example at {pointer or '?'} does not match its schema: {error.message[:160]}")
    return problems


def _walk_examples(node: Any, pointer: str) -> Iterator[tuple[str, Any, Any]]:
    if isinstance(node, dict):
        if "schema" in node and isinstance(node["schema"], dict):
            for name, example in _examples_of(node):
                yield pointer + "/schema", node["schema"], example
        elif "example" in node and ("type" in node or "$ref" in node or "properties" in node):
            yield pointer, node, node["example"]
        for key, value in node.items():
            if key not in ("example", "examples"):
                yield from _walk_examples(value, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk_examples(value, f"{pointer}/{index}")


def _examples_of(media: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    if "example" in media:
        yield "example", media["example"]
    for name, example in (media.get("examples") or {}).items():
        if isinstance(example, dict) and "value" in example:
            yield name, example["value"]


def _links(document: dict[str, Any], operations: dict[str, dict[str, Any]]) -> list[str]:
    by_id = {op.get("operationId"): (where, op) for where, op in operations.items()}
    problems = []
    for where, operation in operations.items():
        for status, response in (operation.get("responses") or {}).items():
            for name, link in (response.get("links") or {}).items() if isinstance(response, dict) else []:
                target = by_id.get(link.get("operationId"))
                if target is None:
                    problems.append(f"{where} {status} link {name}: no operation {link.get('operationId')}")
                    continue
                target_where, target_op = target
                path_item = document["paths"][target_where.split(" ", 1)[1]]
                known = {p.get("name") for p in (target_op.get("parameters") or []) + (path_item.get("parameters") or [])
                         if isinstance(p, dict)}
                known |= {_ref_name(document, p) for p in (target_op.get("parameters") or [])
                          + (path_item.get("parameters") or []) if isinstance(p, dict) and "$ref" in p}
                for parameter in (link.get("parameters") or {}):
                    if parameter.split(".")[-1] not in known:
                        problems.append(f"{where} {status} link {name}: {target_where} has no parameter {parameter}")
    return problems


def _ref_name(document: dict[str, Any], parameter: dict[str, Any]) -> str | None:
    node: Any = document
    for part in parameter["$ref"].lstrip("#/").split("/"):
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return node.get("name") if isinstance(node, dict) else None


def lint(args: argparse.Namespace) -> int:
    folder = Path(args.folder) if args.folder else resources.spec_dir()
    fixtures = Path(args.fixtures) if getattr(args, "fixtures", None) else resources.fixtures_dir()
    for flag, given in (("--folder", folder), ("--fixtures", fixtures)):
        if not given.is_dir():
            print(f"error: {flag} {given}: no such folder", file=sys.stderr)
            return 2
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        print(f"error: --folder {folder}: no *.yaml documents in it", file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        problems = lint_document(path, fixtures)
        operations = sum(1 for _ in _operations(load_shared(path)))
        print(f"{'ok  ' if not problems else 'FAIL'} {path.name} ({operations} operations)")
        for problem in problems:
            print(f"     - {problem}")
        failed += bool(problems)
    return 1 if failed else 0


def register(commands_parser: Any) -> None:
    spec = commands_parser.add_parser("spec", help="work with the OpenAPI documents in spec/")
    actions = spec.add_subparsers(dest="spec_command", required=True)
    p = actions.add_parser("lint", help="check every document: valid OpenAPI, operationIds, examples, links")
    p.add_argument("--folder", help="a folder of documents (default: the bundled spec/)")
    p.add_argument("--fixtures", help="the fixtures folder the documents' x-cloudtwin.fixtures name (default: the bundled fixtures/)")
    p.set_defaults(run=lint)


