"""Pagination that costs what the page costs: by page number, and by marker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

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
