"""Which operation of a provider's specs a proxied path is, and the path below its API base.

Real URLs and the twin's differ only in what comes before the spec's path templates
(`https://api.example.com/compute/v1` vs `http://twin/genesis/compute/v1`), so templates
are matched on the path's end; the most literal template wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@dataclass(frozen=True)
class Matched:
    api: str  # the API's name, e.g. rackspace-images
    label: str  # its label among the provider's base paths, e.g. images
    operation: str
    template: str
    relative_path: str  # below the API's base URL, e.g. /instances/abc
    response_schema: Mapping[str, Any] | None
    document: Mapping[str, Any]


class OperationIndex:
    def __init__(self, specs: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str]) -> None:
        """specs: API name -> OpenAPI document; labels: API name -> base-path label."""
        self._entries: list[tuple[tuple[int, int], re.Pattern[str], str, str, Mapping[str, Any]]] = []
        self._documents = dict(specs)
        self._labels = dict(labels)
        for api, document in specs.items():
            for template, item in (document.get("paths") or {}).items():
                pattern = "".join("[^/]+" if part.startswith("{") else re.escape(part)
                                  for part in re.split(r"(\{[^}]+\})", template))
                regex = re.compile(f"^(?P<prefix>.*?)(?P<rest>{pattern})/?$")
                self._entries.append(((template.count("{"), -len(template)), regex, api, template, item))
        self._entries.sort(key=lambda e: e[0])

    def match(self, method: str, path: str) -> Matched | None:
        for _, regex, api, template, item in self._entries:
            found = regex.match(path)
            operation = (item or {}).get(method.lower()) if found else None
            if found and operation is None and method.upper() == "HEAD":
                operation = (item or {}).get("get")
            if found and operation:
                rest = path[len(found.group("prefix")):]
                return Matched(api, self._labels.get(api, api), str(operation.get("operationId")), template, rest,
                               _success_schema(self._documents[api], operation), self._documents[api])
        return None


def _success_schema(document: Mapping[str, Any], operation: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for status, response in (operation.get("responses") or {}).items():
        if str(status).startswith("2"):
            response = resolve(document, response)
            for media in (response.get("content") or {}).values():
                if "schema" in media:
                    return resolve(document, media["schema"])
    return None


def resolve(document: Mapping[str, Any], node: Any) -> Any:
    seen = 0
    while isinstance(node, Mapping) and "$ref" in node and seen < 30:
        target: Any = document
        for part in str(node["$ref"]).lstrip("#/").split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, Mapping) else {}
        node, seen = target, seen + 1
    return node


def for_provider(twin: Any, provider: str) -> OperationIndex:
    """The index over every API of a provider a twin serves."""
    prov = twin.providers[provider]
    specs: dict[str, Mapping[str, Any]] = {}
    labels: dict[str, str] = {}
    for api in prov.apis:
        spec = twin.specs[api.name]
        specs[api.name] = spec.document
        mount = re.sub(r"\{[^}]+\}", "[^/]+", spec.mount)
        labels[api.name] = next((label for label, base in prov.base_paths.items()
                                 if mount and re.fullmatch(mount + "(/.*)?", base)), api.name)
    return OperationIndex(specs, labels)


def field_schema(document: Mapping[str, Any], schema: Any, selector: str) -> Mapping[str, Any] | None:
    """The schema the spec gives a field of an answer (`$.instance.id`, `images[*].id`), if it says."""
    node = resolve(document, schema)
    for name, index in re.findall(r"([^.\[\]$]+)|\[(\d+|\*)\]", selector):
        node = _merged(document, node)
        if name:
            node = resolve(document, (node.get("properties") or {}).get(name)) if isinstance(node, Mapping) else None
        else:
            node = resolve(document, node.get("items")) if isinstance(node, Mapping) else None
        if not isinstance(node, Mapping):
            return None
    return _merged(document, node)


def _merged(document: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    """allOf parts folded into one; the first oneOf/anyOf branch that has properties stands for them."""
    parts = [resolve(document, p) for p in node.get("allOf") or []]
    for key in ("oneOf", "anyOf"):
        branch = next((resolve(document, p) for p in node.get(key) or [] if "properties" in resolve(document, p)),
                      None)
        if branch is not None:
            parts.append(branch)
    if not parts:
        return node
    merged: dict[str, Any] = {k: v for k, v in node.items() if k not in ("allOf", "oneOf", "anyOf")}
    for part in parts:
        part = _merged(document, part) if isinstance(part, Mapping) and part is not node else {}
        for key, value in part.items():
            if key == "properties":
                merged["properties"] = {**(merged.get("properties") or {}), **value}
            else:
                merged.setdefault(key, value)
    return merged
