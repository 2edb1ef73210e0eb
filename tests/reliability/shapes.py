"""Each API's error shape, as a check on a (status, headers, body) answer (header names any case)."""

from __future__ import annotations

import json
from typing import Any, Mapping


def _json(body: bytes) -> Any:
    return json.loads(body.decode("utf-8"))


def genesis(status: int, headers: Mapping[str, str], body: bytes) -> None:
    doc = _json(body)
    assert set(doc) == {"code", "message"}, doc
    assert isinstance(doc["code"], str) and len(doc["code"]) == 5 and doc["code"].isdigit(), doc
    assert isinstance(doc["message"], str) and doc["message"], doc


def barrack(status: int, headers: Mapping[str, str], body: bytes) -> None:
    doc = _json(body)
    assert isinstance(doc.get("detail"), str) and doc["detail"], doc
    assert isinstance(doc.get("code"), str) and doc["code"], doc
    assert set(doc) <= {"detail", "code", "errors"}, doc


def rackspace_images(status: int, headers: Mapping[str, str], body: bytes) -> None:
    """Glance renders by Accept: JSON {message, code, title}, an HTML page, or plain text; the status in it."""
    content_type = headers.get("content-type", "")
    text = body.decode("utf-8")
    if content_type.startswith("application/json"):
        doc = json.loads(text)
        assert set(doc) == {"message", "code", "title"}, doc
        assert str(doc["code"]).startswith(str(status)), doc
    elif content_type.startswith("text/html"):
        assert f"<h1>{status}" in text, text[:200]
    else:
        assert content_type.startswith("text/plain"), content_type
        assert text.startswith(str(status)), text[:200]


def rackspace_identity(status: int, headers: Mapping[str, str], body: bytes) -> None:
    doc = _json(body)
    assert len(doc) == 1, doc
    (fault,) = doc.values()
    assert set(fault) == {"code", "message"} and fault["code"] == status, doc


def rackspace_files(status: int, headers: Mapping[str, str], body: bytes) -> None:
    assert headers.get("content-type", "").startswith("text/html"), headers.get("content-type")
    assert body.decode("utf-8").startswith("<html><h1>"), body[:200]


def admin(status: int, headers: Mapping[str, str], body: bytes) -> None:
    doc = _json(body)
    assert set(doc) == {"error"} and set(doc["error"]) == {"code", "message"}, doc


BY_API = {"genesis": genesis, "barrack": barrack, "rackspace-images": rackspace_images,
          "rackspace-identity": rackspace_identity, "rackspace-files": rackspace_files, "twin-admin": admin}


def check(api: str, status: int, headers: Mapping[str, str], body: bytes) -> None:
    """No 5xx; an error in the API's own shape; a HEAD answer carries no body to check."""
    assert status < 500, (api, status, body[:300])
    headers = {k.lower(): (v[0] if isinstance(v, list) else v) for k, v in headers.items()}
    if status >= 400 and body:
        BY_API[api](status, headers, body)
