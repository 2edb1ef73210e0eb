"""Load an OpenAPI 3.1 document once and index it for the request path.

Everything here runs at start-up: refs are resolved, operations are indexed by
method and path, and one validator per (operation, location) is compiled, so that the
per-request path never walks the document.
"""

from __future__ import annotations

import copy
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import jsonschema_rs
import yaml

from .yamlio import load_shared

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


_specs: dict[tuple[str, int, str], "Spec"] = {}
_cache_lock = threading.Lock()


class SpecError(Exception):
    """The document cannot be served: a start-up error, never a silent 404."""


class Compiled:
    """A compiled validator with the schema it came from: a refusal can then be explained in
    the schema's own terms (a discriminator's valid values, the properties an object allows)."""

    __slots__ = ("schema", "_validator")

    def __init__(self, schema: Mapping[str, Any], validator: Any) -> None:
        self.schema = schema
        self._validator = validator

    def is_valid(self, instance: Any) -> bool:
        return bool(self._validator.is_valid(instance))

    def iter_errors(self, instance: Any) -> Any:
        return self._validator.iter_errors(instance)


@dataclass(frozen=True)
class Param:
    name: str
    location: str  # path | query | header
    required: bool
    kind: str  # the JSON type used to coerce the text of the parameter
    item_kind: str | None = None  # for arrays
    style: str = "form"  # how an array is serialized (OpenAPI `style`)
    explode: bool = True  # form + explode: repeated keys, each value whole
    # Error keys for a path value not of the declared type, and for one of the right type that
    # fails the rest of its schema. A server that routes by id has no resource at a malformed id.
    wrong_type: str = "invalid_request"
    out_of_schema: str = "invalid_request"


@dataclass
class Body:
    required: bool
    validators: dict[str, Any]  # media type -> compiled validator (None: accept any)
    # media type -> the schema as written, for `x-cloudtwin-error` look-ups on a failure
    schemas: dict[str, Any] = field(default_factory=dict)
    # The error key for a missing body (`requestBody.x-cloudtwin-error`).
    missing_error: str = "invalid_request"
    # (media type, failed keyword's schema path) -> the spec's error key there, if any
    error_key: Callable[[str, list[Any]], str | None] | None = field(default=None, repr=False)


@dataclass
class Operation:
    api: str
    operation_id: str
    method: str
    path: str
    params: list[Param]
    validators: dict[str, Any]  # location -> compiled validator of the parameters object
    body: Body | None
    success_status: int
    success_media_type: str | None
    statuses: frozenset[int]
    needs_auth: bool
    raw: Mapping[str, Any] = field(repr=False)
    # `x-cloudtwin.strict_query` (document-wide or per operation): an undeclared query
    # parameter is refused, not ignored. Real providers mostly ignore them; the control plane
    # is strict so that a misspelled filter (`?fualt=true`) cannot pass as an unfiltered answer.
    strict_query: bool = False

    @property
    def query_params(self) -> list[Param]:
        return [p for p in self.params if p.location == "query"]


class Spec:
    """An indexed OpenAPI document."""

    def __init__(self, path: Path, document: dict[str, Any], api_name: str) -> None:
        self.path = path
        self.document = document
        self.api_name = api_name
        self.extension: dict[str, Any] = document.get("x-cloudtwin", {}) or {}
        self._components = document.get("components", {})
        self.operations: dict[str, Operation] = {}
        self.paths: dict[str, dict[str, Operation]] = {}
        self._index()

    @classmethod
    def load(cls, path: Path, api_name: str) -> "Spec":
        """The indexed document, built once per process: a Spec is read-only once built."""
        try:
            key = (str(path), path.stat().st_mtime_ns, api_name)
        except OSError as exc:
            raise SpecError(f"{path}: cannot read the document: {exc}") from exc
        with _cache_lock:
            spec = _specs.get(key)
            if spec is None:
                try:
                    document = load_shared(path)
                except yaml.YAMLError as exc:
                    raise SpecError(f"{path}: cannot read the document: {exc}") from exc
                if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3."):
                    raise SpecError(f"{path}: not an OpenAPI 3 document")
                spec = _specs[key] = cls(path, document, api_name)
            return spec

    # ------------------------------------------------------------------------------
    @property
    def mount(self) -> str:
        return str(self.extension.get("mount", "")).rstrip("/")

    @property
    def mount_aliases(self) -> list[str]:
        """Further prefixes (below the provider, like `mount`) that serve the same paths."""
        return [str(alias).rstrip("/") for alias in self.extension.get("mount_aliases") or []]

    @property
    def trailing_slash_optional(self) -> bool:
        return self.extension.get("trailing_slash", "strict") == "optional"

    @property
    def error_entries(self) -> dict[str, Any]:
        return dict(self.extension.get("errors", {}) or {})

    def error_key_at(self, schema: Any, schema_path: list[Any]) -> str | None:
        """The deepest `x-cloudtwin-error` on the way to a failed keyword, or None.

        `schema_path` is the validator's keyword location: from the schema's root, or, after a
        `$ref`, from the document root (`components/...`). A spec annotates a subschema with the
        error key its provider answers when the instance fails there (its own wording)."""
        node: Any = {**(schema or {}), "components": self._components} if schema_path[:1] != ["components"] \
            else {"components": self._components}
        found = None
        for part in schema_path:
            node = self.resolve(node)
            if isinstance(node, dict) and node.get("x-cloudtwin-error"):
                found = str(node["x-cloudtwin-error"])
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                break
        node = self.resolve(node)
        if isinstance(node, dict) and node.get("x-cloudtwin-error"):
            found = str(node["x-cloudtwin-error"])
        return found

    def resolve(self, node: Any) -> Any:
        """Follow local `$ref`s until a concrete node is reached."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise SpecError(f"{self.path}: only local references are supported: {ref}")
            target: Any = self.document
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, dict) or part not in target:
                    raise SpecError(f"{self.path}: unresolved reference {ref}")
                target = target[part]
            node = target
            seen += 1
            if seen > 50:
                raise SpecError(f"{self.path}: reference cycle at {ref}")
        return node

    def compile(self, schema: Mapping[str, Any]) -> Any:
        root = dict(schema)
        root["components"] = self._components_for(schema)
        try:
            return Compiled(root, jsonschema_rs.validator_for(root, validate_formats=True))
        except Exception as exc:  # the library raises several types for a bad schema
            raise SpecError(f"{self.path}: cannot compile a schema: {exc}") from exc

    def _components_for(self, schema: Any) -> dict[str, Any]:
        """Only the components the schema reaches through `#/components/...` refs: the validator
        then compiles what it uses, not the whole document (start-up was mostly this)."""
        wanted: set[tuple[str, ...]] = set()
        pending = [schema]
        while pending:
            node = pending.pop()
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str) and ref.startswith("#/components/"):
                    parts = tuple(p.replace("~1", "/").replace("~0", "~") for p in ref[len("#/components/"):].split("/"))
                    if parts not in wanted:
                        wanted.add(parts)
                        target: Any = self._components
                        for part in parts:
                            target = target.get(part) if isinstance(target, dict) else None
                        pending.append(target)
                pending.extend(node.values())
            elif isinstance(node, list):
                pending.extend(node)
        if not wanted:
            return {}
        out: dict[str, Any] = {}
        for parts in sorted(wanted, key=len):
            source: Any = self._components
            here = out
            for i, part in enumerate(parts):
                if not isinstance(source, dict) or part not in source:
                    break  # unresolved: the validator reports it as before
                source = source[part]
                if i == len(parts) - 1:
                    here[part] = source
                    break
                existing = here.get(part)
                if existing is source:
                    break  # a whole ancestor is already included
                if existing is None:
                    existing = here[part] = {}
                here = existing
        return out

    def served_copy(self, server_url: str) -> dict[str, Any]:
        """The document as the twin serves it: `servers` pointing at the twin."""
        served = copy.deepcopy(self.document)
        served["servers"] = [{"url": server_url, "description": "this cloudtwin"}] + [
            s for s in self.document.get("servers", []) if s.get("url") != server_url
        ]
        return served

    # ------------------------------------------------------------------------------
    def _index(self) -> None:
        top_security = self.document.get("security", [])
        for path, item in (self.document.get("paths") or {}).items():
            item = self.resolve(item)
            shared = [self.resolve(p) for p in item.get("parameters", [])]
            for method in HTTP_METHODS:
                if method not in item:
                    continue
                op = item[method]
                op_id = op.get("operationId")
                if not op_id:
                    raise SpecError(f"{self.path}: {method.upper()} {path} has no operationId")
                if op_id in self.operations:
                    raise SpecError(f"{self.path}: operationId {op_id} is used twice")
                operation = self._operation(path, method, op, shared, top_security)
                self.operations[op_id] = operation
                self.paths.setdefault(path, {})[method.upper()] = operation

    def _operation(
        self, path: str, method: str, op: Mapping[str, Any], shared: list[Any], top_security: Any
    ) -> Operation:
        by_key: dict[tuple[str, str], Any] = {}
        for raw in shared + [self.resolve(p) for p in op.get("parameters", [])]:
            by_key[(raw["in"], raw["name"])] = raw
        params: list[Param] = []
        groups: dict[str, dict[str, Any]] = {}
        for (location, name), raw in by_key.items():
            if location == "cookie":
                continue
            schema = raw.get("schema", {})
            key = name.lower() if location == "header" else name
            group = groups.setdefault(location, {"type": "object", "properties": {}, "required": []})
            group["properties"][key] = schema
            required = bool(raw.get("required")) or location == "path"
            if required:
                group["required"].append(key)
            kind, item_kind = self._kinds(schema)
            style = str(raw.get("style") or ("form" if location == "query" else "simple"))
            explode = bool(raw.get("explode", style == "form"))
            wrong_type = out_of_schema = "invalid_request"
            if location == "path":
                wrong_type, out_of_schema = self._path_mismatch(op)
            params.append(Param(key, location, required, kind, item_kind, style, explode, wrong_type, out_of_schema))
        validators = {loc: self.compile(group) for loc, group in groups.items()}

        body = None
        if "requestBody" in op:
            raw_body = self.resolve(op["requestBody"])
            media: dict[str, Any] = {}
            schemas: dict[str, Any] = {}
            for media_type, content in (raw_body.get("content") or {}).items():
                schema = content.get("schema")
                media[media_type.lower()] = self.compile(schema) if schema is not None else None
                schemas[media_type.lower()] = schema
            body = Body(required=bool(raw_body.get("required")), validators=media, schemas=schemas,
                        missing_error=str(raw_body.get("x-cloudtwin-error") or "invalid_request"),
                        error_key=lambda media_type, path, schemas=schemas: self.error_key_at(schemas.get(media_type), path))

        responses = op.get("responses") or {}
        statuses = frozenset(int(code) for code in responses if str(code).isdigit())
        # The lowest 2xx is what a handler's plain answer means; an operation whose only
        # answer is a redirect-class document (Glance's 300 version list) may document a 3xx.
        success = sorted(code for code in statuses if 200 <= code < 300) or sorted(
            code for code in statuses if 300 <= code < 400)
        if not success:
            raise SpecError(f"{self.path}: {op['operationId']} documents no 2xx or 3xx response")
        success_status = success[0]
        content = (self.resolve(responses[str(success_status)]) or {}).get("content") or {}
        success_media_type = next(iter(content), None)

        security = op.get("security", top_security)
        return Operation(
            api=self.api_name,
            operation_id=op["operationId"],
            method=method.upper(),
            path=path,
            params=params,
            validators=validators,
            body=body,
            success_status=success_status,
            success_media_type=success_media_type,
            statuses=statuses,
            needs_auth=bool(security),
            raw=op,
            strict_query=bool((op.get("x-cloudtwin") or {}).get("strict_query",
                                                                 self.extension.get("strict_query", False))),
        )

    def _path_mismatch(self, op: Mapping[str, Any]) -> tuple[str, str]:
        """What a malformed path value answers: `x-cloudtwin.path_mismatch` (an error key) for every
        mismatch when the spec says; otherwise a value not of the declared type (`abc` for an
        integer id) names no resource, 404 where the operation documents one, and a value failing
        only the rest of the schema stays a validation error."""
        declared = self.extension.get("path_mismatch")
        if declared:
            return str(declared), str(declared)
        documents_404 = "404" in {str(code) for code in (op.get("responses") or {})}
        return ("not_found" if documents_404 else "invalid_request"), "invalid_request"

    def _kinds(self, schema: Any) -> tuple[str, str | None]:
        schema = self.resolve(schema)
        kind = _json_type(schema)
        item_kind = None
        if kind == "array":
            item_kind = _json_type(self.resolve(schema.get("items", {})))
        return kind, item_kind


def _json_type(schema: Mapping[str, Any]) -> str:
    declared = schema.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), "string")
    if declared:
        return str(declared)
    for combinator in ("oneOf", "anyOf", "allOf"):
        for option in schema.get(combinator, []) or []:
            if isinstance(option, dict) and option.get("type"):
                return _json_type(option)
    return "string"


def flask_rule(template: str) -> str:
    """`/instances/{instance_id}` -> `/instances/<instance_id>`."""
    return re.sub(r"\{([^}/]+)\}", r"<\1>", template)


PathMatcher = Callable[[str], bool]
