"""Lifecycle hooks: what happens when a Rackspace row enters a state."""

from __future__ import annotations

from ...engine.provider import Context
from ...engine.store import Row
from .common import stamp
from .taskrun import task_entered


def on_enter(ctx: Context, row: Row, state: str) -> None:
    row.data["updated_at"] = stamp(ctx)
    if row.kind == "task":
        task_entered(ctx, row, state)
    elif row.kind == "image" and state == "active" and row.meta.pop("fails", False):
        # A snapshot whose upload broke ends in Glance's `killed`: shown by id, left out of lists.
        ctx.enter(row, "killed")
