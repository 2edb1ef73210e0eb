"""Expectations: selectors into a JSON body and matchers over what they select.

Selectors are dotted paths with indices: `instance.status`, `instances[0].id`,
`images[*].status` (every item), `$` (the whole body). A matcher is a plain value
(equality) or a mapping with one of: present, regex, one_of, contains, length,
gte, lte, gt, lt, schema, not.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping

import jsonschema

MISSING = object()
_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+|\*)\]")


@dataclass(frozen=True)
class Mismatch:
    where: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        actual = "(absent)" if self.actual is MISSING else json.dumps(self.actual, default=str)
        return f"{self.where}: expected {json.dumps(self.expected, default=str)}, got {actual}"


def select(document: Any, selector: str) -> Any:
    if selector in ("$", ""):
        return document
    values = [document]
    fanned = False
    for name, index in _TOKEN.findall(selector.removeprefix("$.")):
        next_values = []
        for value in values:
            if name:
                next_values.append(value.get(name, MISSING) if isinstance(value, Mapping) else MISSING)
            elif index == "*":
                fanned = True
                next_values.extend(value if isinstance(value, list) else [MISSING])
            else:
                i = int(index)
                next_values.append(value[i] if isinstance(value, list) and i < len(value) else MISSING)
        values = next_values
    return values if fanned else values[0]


MATCHER_KEYS = frozenset({"present", "regex", "one_of", "contains", "length", "gte", "lte", "gt", "lt", "schema", "not"})


def is_matcher(expected: Any) -> bool:
    return isinstance(expected, Mapping) and bool(expected) and set(expected) <= MATCHER_KEYS


def match(actual: Any, expected: Any, where: str) -> list[Mismatch]:
    if not is_matcher(expected):
        return [] if actual == expected else [Mismatch(where, expected, actual)]
    problems: list[Mismatch] = []
    for key, want in expected.items():
        if not _check(key, want, actual):
            problems.append(Mismatch(f"{where} ({key})", want, actual))
    return problems


def _check(key: str, want: Any, actual: Any) -> bool:
    present = actual is not MISSING
    if key == "present":
        return present == bool(want)
    if key == "not":
        return bool(match(actual, want, ""))
    if not present:
        return False
    if key == "regex":
        return isinstance(actual, str) and re.search(str(want), actual) is not None
    if key == "one_of":
        return actual in want
    if key == "contains":
        if isinstance(actual, str):
            return str(want) in actual
        return isinstance(actual, list) and (want in actual or
                                             any(isinstance(i, Mapping) and _sub(i, want) for i in actual))
    if key == "length":
        return hasattr(actual, "__len__") and not match(len(actual), want, "")
    if key == "schema":
        return jsonschema.Draft202012Validator(want).is_valid(actual)
    try:
        return {"gte": actual >= want, "lte": actual <= want, "gt": actual > want, "lt": actual < want}[key]
    except TypeError:
        return False


def _sub(item: Mapping[str, Any], want: Any) -> bool:
    return isinstance(want, Mapping) and all(item.get(k, MISSING) == v for k, v in want.items())


def check_body(body: Any, expected: Any) -> list[Mismatch]:
    if not isinstance(expected, Mapping) or is_matcher(expected):
        return match(body, expected, "$")
    problems: list[Mismatch] = []
    for selector, want in expected.items():
        problems += match(select(body, selector), want, selector)
    return problems


def check_headers(headers: Mapping[str, str], expected: Mapping[str, Any]) -> list[Mismatch]:
    lowered = {k.lower(): v for k, v in headers.items()}
    problems: list[Mismatch] = []
    for name, want in expected.items():
        problems += match(lowered.get(name.lower(), MISSING), want, f"header {name}")
    return problems
