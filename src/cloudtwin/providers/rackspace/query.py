"""Glance's list query language: filters, `in:`/`op:` values, sort keys and page links."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import partial
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import parse_qsl, urlencode

from ...engine.errors import ApiError
from ...engine.store import Row

TIME_OPS: dict[str, Callable[[float, float], bool]] = {
    "eq": lambda a, b: a == b, "neq": lambda a, b: a != b, "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b, "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b,
}


def choices(value: str) -> set[str]:
    """`x`, `eq:x` or `in:"a","b"` / `in:a,b` -> the accepted values."""
    if value.startswith("in:"):
        return {part.strip().strip('"') for part in value[3:].split(",")}
    if value.startswith("eq:"):
        return {value[3:]}
    return {value}


def parse_time(text: str, name: str) -> float:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ApiError("time_filter_invalid", name=name) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def time_filter(value: str, name: str) -> Callable[[Any], bool]:
    """`[op:]timestamp` -> a predicate on a row's ISO timestamp."""
    op, _, rest = value.partition(":")
    if op in TIME_OPS:
        compare, moment_text = TIME_OPS[op], rest
    else:
        compare, moment_text = TIME_OPS["eq"], value
    moment = parse_time(moment_text, name)
    return lambda stamp: stamp is not None and compare(parse_time(str(stamp), name), moment)


def sort_spec(query: Mapping[str, Any], default_key: str = "created_at") -> list[tuple[str, str]]:
    """(key, dir) pairs from `sort` or `sort_key`/`sort_dir`, with created_at and id appended."""
    if "sort" in query:
        if "sort_key" in query or "sort_dir" in query:
            raise ApiError("sort_mixed")
        pairs = []
        for part in str(query["sort"]).split(","):
            key, _, direction = part.partition(":")
            pairs.append((key, direction or "desc"))
    else:
        keys = list(query.get("sort_key") or [default_key])
        dirs = list(query.get("sort_dir") or ["desc"])
        if len(dirs) > 1 and len(dirs) != len(keys):
            raise ApiError("sort_dir_count")
        pairs = [(key, dirs[i] if len(dirs) > 1 else dirs[0]) for i, key in enumerate(keys)]
    last = pairs[-1][1]
    for tie_breaker in ("created_at", "id"):
        if all(key != tie_breaker for key, _ in pairs):
            pairs.append((tie_breaker, last))
    return pairs


def sorted_rows(rows: Iterable[Row], pairs: Sequence[tuple[str, str]]) -> list[Row]:
    """Rows in the order of the sort keys, each with its own direction: one stable sort per key,
    least significant first, so each row's value is read once per key (not per comparison)."""
    ordered = list(rows)
    for key, direction in reversed(pairs):
        ordered.sort(key=partial(_sort_value, key), reverse=direction == "desc")
    return ordered


def _sort_value(key: str, row: Row) -> tuple[int, Any]:
    return _nulls_first(row.field(key))


def _nulls_first(value: Any) -> tuple[int, Any]:
    # A null sorts before any value, as in SQL ascending order.
    return (0, 0) if value is None else (1, value)


def links(collection: str, query_string: str, page: Sequence[Row], limit: int, root: str = "") -> dict[str, str]:
    """`first` (the query without marker) and, on a full page, `next` (marker = last id),
    below `root` (see common.link_root)."""
    params = [(k, v) for k, v in parse_qsl(query_string, keep_blank_values=True) if k != "marker"]
    base = f"{root}/v2/{collection}"
    query = urlencode(params)  # once: `next` is `first` with the marker last
    out = {"first": f"{base}?{query}" if params else base}
    if page and len(page) == limit:
        marker = urlencode([("marker", page[-1].data["id"])])
        out["next"] = f"{base}?{query}&{marker}" if params else f"{base}?{marker}"
    return out


def page_size(query: Mapping[str, Any], limits: Mapping[str, int]) -> int:
    """The requested limit, the default when absent, clamped to the maximum (never refused)."""
    return min(int(query.get("limit", limits["default"])), int(limits["max"]))
