"""Sub-commands beyond `serve`: each module appends its `register(subparsers)` here."""

from __future__ import annotations

from typing import Any, Callable

REGISTER: list[Callable[[Any], None]] = []

from . import contract_cli, lint, replay  # noqa: E402,F401  (each registers its command)
from ..console import status, resources, journal, faults, clock, state  # noqa: E402  (verbs against a running twin)

REGISTER += [status.register, resources.register, journal.register, faults.register, clock.register, state.register]
