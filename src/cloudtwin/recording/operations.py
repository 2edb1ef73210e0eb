"""Which operation of a provider's specs a proxied path is, and the path below its API base.

Real URLs and the twin's differ only in what comes before the spec's path templates
(`https://api.example.com/compute/v1` vs `http://twin/genesis/compute/v1`), so templates
are matched on the path's end; the most literal template wins.

The path below the base is what a replay sends after the base it is given, so it keeps
the form the client used: an API may answer below more than its base (an alias mount,
`<base>/v2/v2/images` beside `<base>/v2/images`), and the answer can differ by form.
The base is the spec's own: the twin's mount, or a `servers` URL's path; a path below
neither keeps the older rule, everything before the template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit

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
    def __init__(self, specs: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str],
                 bases: Mapping[str, Iterable[re.Pattern[str]]] | None = None) -> None:
        """specs: API name -> OpenAPI document; labels: API name -> base-path label;
        bases: API name -> where its base may be at the start of a path, most specific first."""
        self._entries: list[tuple[tuple[int, int], re.Pattern[str], str, str, Mapping[str, Any]]] = []
        self._documents = dict(specs)
        self._labels = dict(labels)
        self._bases = {api: list(patterns) for api, patterns in (bases or {}).items()}
        for api, document in specs.items():
            for template, item in (document.get("paths") or {}).items():
                regex = re.compile(f"^(?P<prefix>.*?)(?P<rest>{_template_regex(template)})/?$")
                self._entries.append(((template.count("{"), -len(template)), regex, api, template, item))
        self._entries.sort(key=lambda e: e[0])

    def match(self, method: str, path: str) -> Matched | None:
        for _, regex, api, template, item in self._entries:
            found = regex.match(path)
            operation = (item or {}).get(method.lower()) if found else None
            if found and operation is None and method.upper() == "HEAD":
                operation = (item or {}).get("get")
            if found and operation:
                return Matched(api, self._labels.get(api, api), str(operation.get("operationId")), template,
                               self._below_base(api, path, len(found.group("prefix"))),
                               _success_schema(self._documents[api], operation), self._documents[api])
        return None

    def _below_base(self, api: str, path: str, template_at: int) -> str:
        """The path after the API's base, however much lies between the base and the template."""
        for base in self._bases.get(api, ()):
            found = base.match(path)
            if found and found.end() <= template_at:
                return path[found.end():]
        return path[template_at:]


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
    bases: dict[str, list[re.Pattern[str]]] = {}
    for api in prov.apis:
        spec = twin.specs[api.name]
        specs[api.name] = spec.document
        mount = _template_regex(spec.mount)
        labels[api.name] = next((label for label, base in prov.base_paths.items()
                                 if mount and re.fullmatch(mount + "(/.*)?", base)), api.name)
        bases[api.name] = api_bases(provider, spec.mount,
                                    [str(s.get("url", "")) for s in spec.document.get("servers") or []])
    return OperationIndex(specs, labels, bases)


def api_bases(provider: str, mount: str, servers: Iterable[str]) -> list[re.Pattern[str]]:
    """Where a path may start with an API's base: the twin's mount (`/<provider><mount>`) or a
    real server's path, mount parameters and server variables matching any one segment; the
    longest first. An empty one (a server at a host's root) would claim every path, so a
    path below none is left to the fallback."""
    roots = [_template_regex(f"/{provider}{mount}")] if mount else []
    roots += [_template_regex(urlsplit(url).path.rstrip("/")) for url in servers if "://" in url]
    return [re.compile(f"^{root}(?=/|$)") for root in sorted(set(roots) - {""}, key=len, reverse=True)]


def _template_regex(template: str) -> str:
    """A path with `{name}` parts as a regex where each part is one segment."""
    return "".join("[^/]+" if part.startswith("{") else re.escape(part)
                   for part in re.split(r"(\{[^}]+\})", template))


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
