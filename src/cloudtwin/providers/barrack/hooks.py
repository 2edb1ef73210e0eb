"""Provider-wide seed state and per-account ledgers. (What entering or leaving a state does is
each kind's own behaviour: see `resources`.)"""

from __future__ import annotations

from ...engine.provider import Context
from . import billing
from .resources import Secret


def setup(ctx: Context) -> None:
    """The JWT signing secret, drawn from the seed at every reset."""
    ctx.shared.add(Secret, "jwt", {"key": ctx.ids.token(48)})


def setup_account(ctx: Context) -> None:
    billing.ledger(ctx)
