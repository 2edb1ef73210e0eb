"""A schema refusal said in the schema's own terms.

The validator's first error is exact but terse ("... is not valid under any of the schemas listed
in the 'oneOf' keyword"); with the schema at hand the engine can say which values a discriminator
takes, what is wrong inside the branch a request chose, which properties an object allows, and
every value of an enum. Only the error path pays for this.
"""

from __future__ import annotations

from typing import Any, Mapping

import jsonschema_rs


def explain(root: Any, error: Any, depth: int = 0) -> str:
    """The validator's message, said in the schema's terms where they help: a `oneOf` with an
    OpenAPI `discriminator` names the valid values (or the spec's own hint for a value,
    `x-cloudtwin-hints`) and explains the chosen branch's error; an unexpected property is
    answered with the properties the object allows."""
    if not isinstance(root, Mapping) or depth > 5:
        return str(error.message)
    path = list(error.schema_path)
    node = _node_at(root, path[:-1])
    keyword = path[-1] if path else None
    if keyword == "oneOf" and isinstance(node, Mapping) and isinstance(node.get("discriminator"), Mapping) \
            and isinstance(error.instance, Mapping):
        discriminator = node["discriminator"]
        name = str(discriminator.get("propertyName"))
        mapping = discriminator.get("mapping") or {}
        value = error.instance.get(name)
        hint = (node.get("x-cloudtwin-hints") or {}).get(value) if isinstance(value, str) else None
        if hint:
            return str(hint)
        if value not in mapping:
            return f"{name} {value!r} is not one of {', '.join(mapping)}"
        return _explain_branch(root, _pointer(root, str(mapping[value])), error.instance, depth)
    if keyword == "enum" and isinstance(node, Mapping) and isinstance(node.get("enum"), list):
        return f"{error.instance!r} is not one of {', '.join(str(v) for v in node['enum'])}"
    if keyword == "additionalProperties" and isinstance(node, Mapping) and isinstance(node.get("properties"), Mapping):
        return f"{error.message}; valid: {', '.join(node['properties'])}"
    return str(error.message)


def _explain_branch(root: Mapping[str, Any], branch: Any, instance: Any, depth: int) -> str:
    schema = {**branch, "components": root.get("components", {})} if isinstance(branch, Mapping) else {}
    validator = jsonschema_rs.validator_for(schema)
    error = next(iter(validator.iter_errors(instance)), None)
    if error is None:
        return "matches more than one of the `oneOf` schemas"
    pointer = "/".join(str(part) for part in error.instance_path)
    return (f"at '{pointer}': " if pointer else "") + explain(schema, error, depth + 1)


def _ref_path(ref: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in ref.lstrip("#/").split("/")] if ref.startswith("#/") else []


def _pointer(root: Mapping[str, Any], ref: str) -> Any:
    node: Any = root
    for part in _ref_path(ref):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def _deref(root: Mapping[str, Any], node: Any) -> Any:
    for _ in range(20):  # a reference cycle ends here rather than recursing for ever
        if not (isinstance(node, Mapping) and isinstance(node.get("$ref"), str)):
            break
        node = _pointer(root, node["$ref"])
    return node


def _node_at(root: Mapping[str, Any], path: list[Any]) -> Any:
    """The schema node at a validator's schema path, following the `$ref`s the path goes through."""
    node: Any = root
    for part in path:
        if part == "$ref":
            node = _deref(root, node)
        elif isinstance(node, Mapping):
            node = node.get(str(part))
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return None
    return _deref(root, node)
