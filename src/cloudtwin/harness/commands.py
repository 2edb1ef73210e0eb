"""Sub-commands beyond `serve`, each registered by its own module."""

from __future__ import annotations

from typing import Any, Callable

REGISTER: list[Callable[[Any], None]] = []
