"""Reading YAML fast, once: libyaml's parser where PyYAML has it, and a per-process cache
keyed by path and modification time (a twin per test must not re-parse its specs)."""

from __future__ import annotations

import copy
import threading
from pathlib import Path
from typing import Any

import yaml

Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_cache: dict[tuple[str, int], Any] = {}
_lock = threading.Lock()


def parse(text: str) -> Any:
    return yaml.load(text, Loader=Loader)  # noqa: S506 - a safe loader


def load_shared(path: Path) -> Any:
    """The parsed document, shared between callers: treat it as read-only."""
    key = (str(path), path.stat().st_mtime_ns)
    with _lock:
        if key not in _cache:
            _cache[key] = parse(path.read_text(encoding="utf-8"))
        return _cache[key]


def load_copy(path: Path) -> Any:
    """A private copy of the parsed document, free to change."""
    return copy.deepcopy(load_shared(path))
