"""Pagination that costs what the page costs: by page number, and by marker.

Every provider pages through these; what differs between providers is only the body
around a page (its keys and counts), which the provider writes from the `Numbered` page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Sequence

from .errors import ApiError
from .store import Row, Table


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    total: int


def by_number(table: Table, account: str, page: int, per_page: int, *, reverse: bool = False) -> Page:
    """`page`/`per_page` over one account's rows in creation order."""
    offset = (page - 1) * per_page
    return Page(table.page(account, offset, per_page, reverse=reverse), table.count(account))


@dataclass(frozen=True)
class Numbered:
    """One page of a `page`/size list: its items (rendered), the total, the page and its size."""

    items: list[Any]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return -(-self.total // self.size) if self.size else 0


def numbered(items: Sequence[Any], page: int, size: int, each: Callable[[Any], Any] | None = None) -> Numbered:
    """Page `page` (from 1) of `size` items of an already filtered and ordered sequence; `each`
    renders only the page's items (rows stay packed unless shown). A page past the end is empty
    without slicing anything, whatever its number (Python's integers do not overflow)."""
    start = (page - 1) * size
    shown = items[start:start + size] if 0 <= start < len(items) else []
    return Numbered([each(item) for item in shown] if each else list(shown), len(items), page, size)


def filtered(rows: Iterable[Row], keep: Callable[[Row], bool]) -> Iterator[Row]:
    return (row for row in rows if keep(row))


def after_marker(
    rows: Sequence[Row],
    marker: str | None,
    limit: int,
    *,
    marker_error: str = "invalid_request",
    message: str | None = None,
) -> list[Row]:
    """`limit` rows strictly after the row whose id is `marker`, in an order the caller
    already applied (for lists merged from several accounts or sorted by request keys)."""
    start = 0
    if marker:
        position = next((i for i, row in enumerate(rows) if row.field("id", row.id) == marker), None)
        if position is None:
            raise ApiError(marker_error, message or f"marker {marker} could not be found", marker=marker)
        start = position + 1
    return list(rows[start : start + max(limit, 0)])
