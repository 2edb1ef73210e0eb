"""Glance version discovery at the service root of a region (no credentials needed)."""

from __future__ import annotations

from typing import Any

from ....engine.provider import Call, Reply
from . import operation


def _document(call: Call) -> dict[str, Any]:
    href = f"{call.request.base_url}/v2/"
    return {"versions": [{"id": v["id"], "status": v["status"], "links": [{"rel": "self", "href": href}]}
                         for v in call.fixtures["versions"]["images"]]}


@operation("listVersionsRoot")
def list_versions_root(call: Call) -> Reply:
    # Glance answers the root 300 Multiple Choices; openstacksdk discovers /v2/ from it.
    return Reply(_document(call), status=300)


@operation("listVersions")
def list_versions(call: Call) -> dict[str, Any]:
    return _document(call)


@operation("listVersionsTrailingSlash")
def list_versions_slash(call: Call) -> dict[str, Any]:
    return _document(call)
