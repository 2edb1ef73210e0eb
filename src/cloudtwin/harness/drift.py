"""Drift: where an endpoint's answers disagree with our spec, operation by operation.

Input is a list of exchanges (one request and its answer). They come from a contract run (the
schemathesis HAR report) or from a recording file, the format `cloudtwin contract --check-recording`
reads:

    {"exchanges": [
      {"method": "GET", "path": "/v2/images?limit=2", "status": 200,
       "headers": {"Content-Type": "application/json"},
       "body": {"images": [], "schema": "/v2/schemas/images", "first": "/v2/images"}}
    ]}

`path` is the request path under the API's base URL (a full URL or a path that still carries
the mount prefix works too: operations are matched on the path's end). `body` is the JSON
answer, or a string (parsed when the Content-Type is JSON). A bare list of exchanges, or a
single exchange, is accepted as well.

What is reported, per operation: a status the spec does not document, a Content-Type it does
not document for that status, missing required fields, fields the schema forbids or does not
declare ("extra"), enum values, formats and types that differ. The JSON report
(`--drift-report`) holds the same, for correcting the spec and the twin from evidence.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit

RECORDING_HELP = """\
  {"exchanges": [{"method": "GET", "path": "/v2/images?limit=2", "status": 200,
                  "headers": {"Content-Type": "application/json"}, "body": {...}}]}
  path: under the API's base URL (a full URL or the mount prefix is fine); body: the JSON
  answer, or its text. A bare list of exchanges, or one exchange, works as well.
"""

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    status: int
    headers: Mapping[str, str]
    body: Any  # parsed JSON, text, or None


@dataclass
class Finding:
    kind: str  # undocumented_operation | status | content_type | missing_field | extra_field | enum | format | type | schema
    status: int
    where: str  # a JSON path into the body ("$.images[0].id"), or "" for the status line
    detail: str

    def key(self) -> tuple[str, int, str, str]:
        return (self.kind, self.status, re.sub(r"\[\d+\]", "[*]", self.where), self.detail)


@dataclass
class OperationDrift:
    operation: str  # "GET /v2/images"
    operation_id: str | None
    observed: int = 0
    findings: dict[tuple[str, int, str, str], tuple[Finding, int]] = field(default_factory=dict)

    def add(self, finding: Finding) -> None:
        key = finding.key()
        first, count = self.findings.get(key, (finding, 0))
        self.findings[key] = (first, count + 1)

    def as_json(self) -> dict[str, Any]:
        return {"operation": self.operation, "operationId": self.operation_id, "observed": self.observed,
                "findings": [{"kind": f.kind, "status": f.status, "where": re.sub(r"\[\d+\]", "[*]", f.where),
                              "detail": f.detail, "count": n} for f, n in self.findings.values()]}


class SpecIndex:
    """The spec's operations, matched by method and path; schemas validated with its components."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.templates: list[tuple[str, re.Pattern[str], re.Pattern[str], dict[str, Mapping[str, Any]]]] = []
        for template, item in (document.get("paths") or {}).items():
            ops = {m.upper(): op for m, op in (item or {}).items() if m in METHODS}
            pattern = "".join("[^/]+" if part.startswith("{") else re.escape(part)
                              for part in re.split(r"(\{[^}]+\})", template))
            self.templates.append((template, re.compile(f"^{pattern}/?$"), re.compile(f"^.*?{pattern}/?$"), ops))
        # The most literal template first: `/firewalls/protocols/` before `/firewalls/{id}/`.
        self.templates.sort(key=lambda t: (t[0].count("{"), -len(t[0])))

    def template(self, path: str) -> tuple[str, dict[str, Mapping[str, Any]]] | None:
        """The path's template: matched from the start (a path under the base URL), else on its
        end (a full URL, or a path that still has the mount prefix)."""
        bare = urlsplit(path).path or "/"
        for anchored in (True, False):
            for template, exact, suffix, ops in self.templates:
                if (exact if anchored else suffix).match(bare):
                    return template, ops
        return None

    def match(self, method: str, path: str) -> tuple[str, Mapping[str, Any]] | None:
        found = self.template(path)
        if found is None or method.upper() not in found[1]:
            return None
        return found[0], found[1][method.upper()]

    def resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, Mapping) and "$ref" in node and seen < 20:
            target: Any = self.document
            for part in str(node["$ref"]).lstrip("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node, seen = target, seen + 1
        return node

    def validator(self, schema: Mapping[str, Any]) -> Any:
        import jsonschema

        root = dict(schema)
        root["components"] = self.document.get("components", {})
        return jsonschema.Draft202012Validator(root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _where(path: Iterable[Any]) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _schema_findings(index: SpecIndex, schema: Mapping[str, Any], body: Any, status: int) -> list[Finding]:
    out: list[Finding] = []
    for error in sorted(index.validator(schema).iter_errors(body), key=lambda e: list(e.absolute_path)):
        where = _where(error.absolute_path)
        kind = error.validator
        if kind == "required":
            missing = [name for name in error.validator_value if isinstance(error.instance, dict)
                       and name not in error.instance]
            for name in missing:
                out.append(Finding("missing_field", status, f"{where}.{name}", f"required field {name!r} is missing"))
        elif kind in ("additionalProperties", "unevaluatedProperties"):
            out.append(Finding("extra_field", status, where, error.message))
        elif kind in ("enum", "const"):
            out.append(Finding("enum", status, where, f"{error.instance!r} is not one of {error.validator_value!r}"))
        elif kind == "format":
            out.append(Finding("format", status, where, f"{error.instance!r} is not a {error.validator_value}"))
        elif kind == "type":
            out.append(Finding("type", status, where, f"{type(error.instance).__name__} "
                                                      f"{json.dumps(error.instance)[:60]}, expected {error.validator_value}"))
        else:
            out.append(Finding("schema", status, where, f"{kind}: {error.message[:200]}"))
    _undeclared(index, schema, body, [], status, out)
    unique: dict[tuple[str, int, str, str], Finding] = {}
    for finding in out:  # one `required` error per missing name, each listing every required name
        unique.setdefault((finding.kind, finding.status, finding.where, finding.detail), finding)
    return list(unique.values())


def _undeclared(index: SpecIndex, schema: Any, body: Any, path: list[Any], status: int, out: list[Finding]) -> None:
    """Fields the schema does not declare (where it allows extra ones, so validation is silent)."""
    schema = index.resolve(schema)
    if not isinstance(schema, Mapping):
        return
    if isinstance(body, dict):
        properties: dict[str, Any] = dict(schema.get("properties") or {})
        for part in schema.get("allOf") or []:
            properties.update(index.resolve(part).get("properties") or {})
        open_ended = schema.get("additionalProperties") not in (None, True) or "patternProperties" in schema
        if properties and not open_ended and schema.get("additionalProperties") is not False:
            for name in body:
                if name not in properties:
                    out.append(Finding("extra_field", status, _where(path + [name]), f"field {name!r} is not in the spec"))
        for name, value in body.items():
            if name in properties:
                _undeclared(index, properties[name], value, path + [name], status, out)
    elif isinstance(body, list) and "items" in schema:
        for i, item in enumerate(body):
            _undeclared(index, schema["items"], item, path + [i], status, out)


def check_exchange(index: SpecIndex, exchange: Exchange) -> tuple[str, str | None, list[Finding]] | None:
    """(operation label, operationId, findings) for one exchange; None for a probe with a method
    the path does not declare (schemathesis' unsupported_method check judges those)."""
    matched = index.match(exchange.method, exchange.path)
    if matched is None and index.template(exchange.path) is not None:
        return None
    if matched is None:
        label = f"{exchange.method.upper()} {urlsplit(exchange.path).path}"
        return label, None, [Finding("undocumented_operation", exchange.status, "", "no operation of the spec matches")]
    template, op = matched
    label = f"{exchange.method.upper()} {template}"
    responses = op.get("responses") or {}
    status = exchange.status
    response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
    if response is None:
        documented = ", ".join(sorted(str(s) for s in responses))
        return label, op.get("operationId"), [Finding("status", status, "", f"status {status} is not documented "
                                                                            f"(documented: {documented})")]
    response = index.resolve(response)
    content = response.get("content") or {}
    findings: list[Finding] = []
    if not content:
        return label, op.get("operationId"), findings
    headers = {k.lower(): v for k, v in exchange.headers.items()}
    media = str(headers.get("content-type", "")).split(";")[0].strip().lower()
    chosen = next((c for t, c in content.items() if t.lower() == media), None)
    if chosen is None:
        findings.append(Finding("content_type", status, "", f"Content-Type {media or '(none)'} is not documented "
                                                            f"(documented: {', '.join(content)})"))
        return label, op.get("operationId"), findings
    schema = (chosen or {}).get("schema")
    body = exchange.body
    if isinstance(body, (str, bytes)) and (media.endswith("json") or media.endswith("+json")):
        try:
            body = json.loads(body)
        except ValueError:
            findings.append(Finding("schema", status, "$", "the body is not valid JSON"))
            return label, op.get("operationId"), findings
    if schema is not None and body is not None:
        findings.extend(_schema_findings(index, schema, body, status))
    return label, op.get("operationId"), findings


def analyse(document: Mapping[str, Any], exchanges: Iterable[Exchange]) -> list[OperationDrift]:
    """Every operation seen, with what differs (operations without findings included: they were checked)."""
    index = SpecIndex(document)
    by_operation: dict[str, OperationDrift] = {}
    for exchange in exchanges:
        checked = check_exchange(index, exchange)
        if checked is None:
            continue
        label, operation_id, findings = checked
        drift = by_operation.setdefault(label, OperationDrift(label, operation_id))
        drift.observed += 1
        for finding in findings:
            drift.add(finding)
    return sorted(by_operation.values(), key=lambda d: d.operation)


def report_json(api: str, target: str, drifts: list[OperationDrift]) -> dict[str, Any]:
    return {"api": api, "target": target,
            "operations_checked": len(drifts),
            "operations_with_drift": sum(1 for d in drifts if d.findings),
            "operations": [d.as_json() for d in drifts]}


def report_text(api: str, drifts: list[OperationDrift]) -> str:
    drifting = [d for d in drifts if d.findings]
    lines = [f"Drift for {api}: {len(drifting)} of {len(drifts)} operations observed disagree with the spec"]
    for drift in drifting:
        lines.append(f"  {drift.operation}" + (f" ({drift.operation_id})" if drift.operation_id else ""))
        for finding, count in drift.findings.values():
            where = re.sub(r"\[\d+\]", "[*]", finding.where)
            times = f" x{count}" if count > 1 else ""
            lines.append(f"    - [{finding.status}] {finding.kind}: {where + ' ' if where else ''}{finding.detail}{times}")
    return "\n".join(lines)


def load_recording(data: Any) -> list[Exchange]:
    """Exchanges from a recording file's JSON (see the module docstring for the format)."""
    if isinstance(data, Mapping) and "exchanges" in data:
        data = data["exchanges"]
    if isinstance(data, Mapping):
        data = [data]
    out: list[Exchange] = []
    for i, item in enumerate(data or []):
        try:
            out.append(Exchange(str(item["method"]), str(item["path"]), int(item["status"]),
                                {str(k): str(v) for k, v in (item.get("headers") or {}).items()}, item.get("body")))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"exchange {i}: needs method, path, status (and headers, body): {error}") from None
    return out


def from_har(har: Mapping[str, Any], base_path: str = "") -> list[Exchange]:
    """Exchanges from a HAR log (schemathesis' `--report har`)."""
    out: list[Exchange] = []
    for entry in (har.get("log") or {}).get("entries") or []:
        request, response = entry.get("request") or {}, entry.get("response") or {}
        path = urlsplit(str(request.get("url", ""))).path
        if base_path and path.startswith(base_path):
            path = path[len(base_path):] or "/"
        headers = {h.get("name", ""): h.get("value", "") for h in response.get("headers") or []}
        content = response.get("content") or {}
        text = content.get("text")
        if text is not None and content.get("encoding") == "base64":
            import base64
            text = base64.b64decode(text).decode("utf-8", "replace")
        if "content-type" not in {k.lower() for k in headers} and content.get("mimeType"):
            headers["Content-Type"] = str(content["mimeType"])
        out.append(Exchange(str(request.get("method", "GET")), path, int(response.get("status") or 0), headers, text))
    return [e for e in out if e.status]
