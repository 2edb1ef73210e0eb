"""Error bodies in the shapes the two Rackspace APIs use.

Images: Glance's WebOb bodies, chosen by `Accept` (JSON, HTML or plain text).
Identity: `{"<faultKind>": {"code": <status>, "message": "..."}}`.
Table messages and headers hold `{placeholders}` filled from the error's fields.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any, Mapping

from ...engine import resources
from ...engine.errors import ResolvedError
from ...engine.provider import Context, Rendered, RequestInfo
from ...engine.yamlio import load_shared

PATCH_TYPES = "application/openstack-images-v2.0-json-patch, application/openstack-images-v2.1-json-patch"
# Glance forces this one to text/plain whatever the client accepts.
ALWAYS_TEXT = frozenset({"property_quota"})


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def fill(template: str, fields: Mapping[str, Any]) -> str:
    """Fill `{name}` placeholders that have a value; leave any other brace alone (messages
    may quote a client's JSON)."""
    return _PLACEHOLDER.sub(lambda m: str(fields[m.group(1)]) if m.group(1) in fields else m.group(0), template)


def _headers(error: ResolvedError, fields: Mapping[str, Any]) -> dict[str, str]:
    """The table's headers, filled; never one the engine already set, never a bare template."""
    out: dict[str, str] = {}
    for name, template in (error.extra.get("headers") or {}).items():
        value = fill(str(template), fields)
        if name not in error.headers and "{" not in value:
            out[name] = value
    return out


def _identity_url(info: RequestInfo) -> str:
    root = info.base_url.split("/rackspace/", 1)[0]
    return f"{root}/rackspace/identity/v2.0"


# A query parameter the spec's schema refused -> the key of Glance's own wording for it.
QUERY_ERRORS = {"marker": "marker_invalid", "sort_key": "sort_key_invalid", "sort": "sort_key_invalid",
                "sort_dir": "sort_dir_invalid", "visibility": "visibility_invalid",
                "member_status": "member_status_invalid", "status": "task_status_invalid",
                "type": "task_type_invalid", "size_min": "range_not_numeric", "size_max": "range_not_numeric",
                "created_at": "time_filter_invalid", "updated_at": "time_filter_invalid"}
SORT_KEYS = {"images": "name, status, container_format, disk_format, size, id, created_at, updated_at",
             "tasks": "id, type, status, owner, expires_at, created_at, updated_at"}


def _glance_query_message(error: ResolvedError, info: RequestInfo) -> str | None:
    """Glance's message for a query parameter the engine's schema check refused."""
    name, _, index = str(error.extra.get("field", "")).partition("/")
    if error.key != "invalid_request" or error.extra.get("location") != "query" or not name:
        return None
    key = QUERY_ERRORS.get(name)
    if name == "limit":
        key = "limit_negative" if "minimum" in error.message else "limit_not_integer"
    if key is None:
        return None
    table = load_shared(resources.spec_dir() / "rackspace-images.yaml")["x-cloudtwin"]["errors"]
    sent = info.raw_query.get(name, [])
    # An array parameter's pointer names the item (`sort_key/1`): Glance's arrays repeat the key.
    value = sent[int(index)] if index.isdigit() and int(index) < len(sent) else ",".join(sent)
    collection = "tasks" if "/v2/tasks" in info.path else "images"
    return fill(str(table[key]["message"]), {"value": value, "sort_key": value, "sort_dir": value, "name": name,
                                             "allowed": SORT_KEYS[collection]})


def render_images_error(error: ResolvedError, info: RequestInfo) -> Rendered:
    fields = {**error.extra, "method": info.method, "identity_url": _identity_url(info)}
    message = IMAGES_UNPARSEABLE if error.key == "malformed_body" else fill(error.message, fields)
    message = _glance_query_message(error, info) or message
    code = str(error.extra.get("code_line") or error.code or error.status)
    title = str(error.extra.get("title") or code.partition(" ")[2])
    headers = _headers(error, fields)
    if error.key == "unauthorized":
        headers["WWW-Authenticate"] = f'Keystone uri="{_identity_url(info)}"'
    if error.key == "unsupported_media_type" and info.method == "PATCH":
        headers["Accept-Patch"] = PATCH_TYPES
    accept = info.headers.get("accept", "*/*").lower()
    if error.key in ALWAYS_TEXT:
        kind = "text"
    elif "application/json" in accept:
        kind = "json"
    elif "text/html" in accept or "*/*" in accept or not accept.strip():
        kind = "html"
    else:
        kind = "text"
    if kind == "json":
        body = json.dumps({"message": f"{message}<br /><br />\n\n\n", "code": code, "title": title})
        return Rendered(body.encode(), "application/json; charset=UTF-8", headers)
    if kind == "html":
        html = (f"<html>\n <head>\n  <title>{code}</title>\n </head>\n <body>\n  <h1>{code}</h1>\n"
                f"  {message}<br /><br />\n\n\n\n </body>\n</html>")
        return Rendered(html.encode(), "text/html; charset=UTF-8", headers)
    return Rendered(f"{code}\n\n{message}\n\n   ".encode(), "text/plain; charset=UTF-8", headers)


# The engine words its own validation errors; Rackspace's services word them like this.
IDENTITY_UNPARSEABLE = "Invalid request body: unable to parse Auth data. Please review XML or JSON formatting"
IMAGES_UNPARSEABLE = "Malformed JSON in request body."


def render_identity_error(error: ResolvedError, info: RequestInfo) -> Rendered:
    fields = {**error.extra, "method": info.method, "identity_url": f"{info.base_url}/v2.0",
              "content_type": info.headers.get("content-type", "")}
    kind = str(error.extra.get("kind") or "identityFault")
    message = fill(error.message, fields)
    if error.key in ("malformed_body", "invalid_request"):
        # The engine's schema messages quote the body, and the body holds the password.
        message = IDENTITY_UNPARSEABLE
    body = {kind: {"code": error.status, "message": message}}
    return Rendered(json.dumps(body).encode(), "application/json", _headers(error, fields))


def request_id(ctx: Context) -> dict[str, str]:
    """Glance's `x-openstack-request-id`, drawn from the provider's seeded stream."""
    value = uuid.UUID(int=ctx.ids.rng("requests").getrandbits(128), version=4)
    return {"x-openstack-request-id": f"req-{value}"}


def render_files_error(error: ResolvedError, info: RequestInfo) -> Rendered:
    """Swift's short HTML pages."""
    fields = {**error.extra, "method": info.method}
    title = str(error.extra.get("title") or error.status)
    html = f"<html><h1>{title}</h1><p>{fill(error.message, fields)}</p></html>"
    return Rendered(html.encode(), "text/html; charset=UTF-8", _headers(error, fields))
