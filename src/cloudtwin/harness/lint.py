"""`cloudtwin spec lint`: every document in spec/ is valid OpenAPI, has an operationId on
every operation, examples that satisfy their schemas, links that resolve, and the error
keys the engine raises."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Iterator

import jsonschema
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ..engine import resources
from ..engine.errors import ENGINE_DEFAULTS
from ..engine.spec import HTTP_METHODS
from ..engine.yamlio import load_shared
from . import commands


def lint_document(path: Path) -> list[str]:
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
    if "x-cloudtwin" in document and path.name != "twin-admin.yaml":
        keys = set((document["x-cloudtwin"].get("errors") or {}))
        missing = sorted(set(ENGINE_DEFAULTS) - keys)
        if missing:
            problems.append(f"x-cloudtwin.errors lacks engine keys: {', '.join(missing)}")
    return problems


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in (document.get("paths") or {}).items():
        for method in HTTP_METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def _examples(document: dict[str, Any]) -> list[str]:
    registry: Registry = Registry().with_resource("urn:spec", Resource(document, specification=DRAFT202012))
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
    failed = 0
    for path in sorted(folder.glob("*.yaml")):
        problems = lint_document(path)
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
    p.set_defaults(run=lint)


commands.REGISTER.append(register)
