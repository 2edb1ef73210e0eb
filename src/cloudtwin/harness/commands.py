"""Sub-commands beyond `serve`: each module appends its `register(subparsers)` here."""

from __future__ import annotations

from typing import Any, Callable

REGISTER: list[Callable[[Any], None]] = []

from . import contract_cli, lint, replay  # noqa: E402,F401  (each registers its command)
# calibrate, record, proxy, drift
from ..recording import calibrate, commands as recording_commands, compare  # noqa: E402,F401
