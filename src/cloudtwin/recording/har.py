"""The raw exchange as HTTP Archive 1.2 (scrubbed before it is written)."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl

from .. import __version__
from .scrub import Scrubber
from .session import Exchange


def _content(body: bytes, mime: str, scrubber: Scrubber) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return {"size": len(body), "mimeType": mime, "encoding": "base64", "text": base64.b64encode(body).decode()}
    return {"size": len(body), "mimeType": mime, "text": scrubbed_text(text, mime, scrubber)}


def scrubbed_text(text: str, mime: str, scrubber: Scrubber) -> str:
    import json

    if "json" in mime:
        try:
            return json.dumps(scrubber.body(json.loads(text)))
        except ValueError:
            pass
    return scrubber.text(text)


def har(exchanges: list[Exchange], scrubber: Scrubber) -> dict[str, Any]:
    entries = []
    for e in exchanges:
        request_mime = e.header("content-type", response=False) or ""
        response_mime = e.header("content-type") or ""
        entry: dict[str, Any] = {
            "startedDateTime": datetime.fromtimestamp(e.started, timezone.utc).isoformat(),
            "time": e.elapsed_ms,
            "request": {
                "method": e.method, "url": scrubber.text(e.url), "httpVersion": "HTTP/1.1",
                "headers": [{"name": n, "value": v} for n, v in scrubber.headers(e.request_headers)],
                "queryString": [{"name": n, "value": scrubber.text(v)} for n, v in parse_qsl(e.query)],
                "cookies": [], "headersSize": -1, "bodySize": len(e.request_body),
            },
            "response": {
                "status": e.status, "statusText": e.reason, "httpVersion": "HTTP/1.1",
                "headers": [{"name": n, "value": v} for n, v in scrubber.headers(e.response_headers)],
                "cookies": [], "content": _content(e.response_body, response_mime, scrubber),
                "redirectURL": "", "headersSize": -1, "bodySize": len(e.response_body),
            },
            "cache": {}, "timings": {"send": 0, "wait": e.elapsed_ms, "receive": 0},
        }
        if e.request_body:
            entry["request"]["postData"] = {"mimeType": request_mime,
                                            **{k: v for k, v in _content(e.request_body, request_mime, scrubber).items()
                                               if k in ("text", "encoding")}}
        if e.matched:
            entry["_operation"] = e.matched.operation
        if e.fault:
            entry["_fault"] = e.fault
        entries.append(entry)
    return {"log": {"version": "1.2", "creator": {"name": "cloudtwin record", "version": __version__},
                    "entries": entries}}
