"""Glance's JSON patch on an image, with Rackspace's property protections.

The body has already passed the spec's schema (restricted pointers, value types). Each
operation is checked and applied to a working copy in order; the caller saves the copy
only when every operation passed, so a refused patch changes nothing.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Mapping

from ...engine.errors import ApiError

V20 = "application/openstack-images-v2.0-json-patch"


@dataclass(frozen=True)
class Op:
    op: str  # add | remove | replace
    name: str  # the pointer's single token, unescaped
    value: Any = None


def operations(body: list[Mapping[str, Any]], media_type: str | None) -> list[Op]:
    """Both media types as one list of operations."""
    ops = []
    for raw in body:
        if media_type == V20:
            op = next(k for k in ("add", "replace", "remove") if k in raw)
            path = raw[op]
        else:
            op, path = raw["op"], raw["path"]
        ops.append(Op(op, path[1:].replace("~1", "/").replace("~0", "~"), raw.get("value")))
    return ops


class Rules:
    """fixtures/rackspace/protected_properties.yaml, indexed."""

    def __init__(self, raw: Mapping[str, Any], schema: Mapping[str, Any]) -> None:
        self.read_only = set(raw["read_only"]["names"])
        self.reserved = set(raw["reserved"]["names"]) | set(raw["reserved"].get("inferred_names") or [])
        core = raw["core_attributes"]
        self.core = set(core["names"])
        self.removable_core = set(core["remove"]["except"])
        self.queued_only = set(core["queued_only"]["names"])
        protected = raw["rackspace_protected"]
        self.protected = set(protected["names"])
        self.public_forbidden = set(protected["visibility"]["values_forbidden"])
        self.visibility_ops = set(protected["visibility"]["ops_forbidden"])
        self.prefixes = [p["prefix"] for p in protected["prefixes"]]
        # Optional schema attributes (is_base false) behave like extra properties when absent.
        self.optional = {name for name, prop in schema["properties"].items() if prop.get("is_base") is False}

    def is_extra(self, name: str) -> bool:
        return name not in self.core


def apply(image: Mapping[str, Any], ops: list[Op], rules: Rules, *, media_type: str | None) -> dict[str, Any]:
    """The image after every operation, or the first refusal as an ApiError."""
    work = copy.deepcopy(dict(image))
    for op in ops:
        _check(work, op, rules, media_type)
        if op.op == "remove":
            work.pop(op.name, None)
        elif op.name == "tags":
            work["tags"] = list(dict.fromkeys(op.value))  # Glance stores a set of tags
        else:
            work[op.name] = op.value
    return work


def _check(work: Mapping[str, Any], op: Op, rules: Rules, media_type: str | None) -> None:
    name = op.name
    if name in rules.read_only:
        raise ApiError("property_read_only", name=name)
    if name in rules.reserved:
        raise ApiError("property_reserved", name=name)
    if name == "owner":
        raise ApiError("owner_forbidden")
    if name in rules.protected or any(name.startswith(prefix) for prefix in rules.prefixes):
        raise ApiError("property_forbidden", op=op.op, name=name)
    if name == "visibility":
        if op.op in rules.visibility_ops:
            raise ApiError("property_forbidden", op=op.op, name=name)
        if op.value in rules.public_forbidden:
            raise ApiError("visibility_public_forbidden")
    present = work.get(name) is not None if name in rules.core else name in work
    behaves_extra = rules.is_extra(name) or name in rules.optional
    if op.op == "remove":
        if not behaves_extra:
            raise ApiError("property_not_removable", name=name)
        if not present:
            raise ApiError("property_missing", name=name)
    if name in rules.queued_only and work.get("status") != "queued":
        raise ApiError("format_not_queued", name=name)
    if op.op == "replace" and not present and rules.is_extra(name):
        raise ApiError("property_missing", name=name)
    if op.op == "add" and present and media_type == V20:
        raise ApiError("property_exists", name=name)


def extra_count(image: Mapping[str, Any], rules: Rules) -> int:
    """Extra properties (system ones included, as Rackspace counts them) for the quota."""
    return sum(1 for name in image if rules.is_extra(name) and name not in rules.read_only)
