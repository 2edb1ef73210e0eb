"""What came in, what went out, and which fault rule fired: the twin's flight recorder."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any, Callable, Iterable, Mapping

BODY_PREVIEW_BYTES = 2048


class Journal:
    def __init__(self, capacity: int = 10_000, listeners: list[Callable[[dict[str, Any]], None]] | None = None) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=capacity)
        self._seq = 0
        self._lock = threading.Lock()
        # Called with every entry once it is recorded (serve's request log); none may raise. The
        # list is the twin's own, shared by every journal it starts (see Twin.journal_listeners).
        self.listeners: list[Callable[[dict[str, Any]], None]] = [] if listeners is None else listeners

    def record(self, entry: dict[str, Any]) -> int:
        with self._lock:
            self._seq += 1
            seq = entry["seq"] = self._seq
            self._entries.append(entry)
        for listener in self.listeners:  # outside the lock: a slow terminal must not stall the other threads' records
            listener(entry)
        return seq

    def query(self, filters: Mapping[str, Any], limit: int = 100) -> list[dict[str, Any]]:
        """Newest last; filters match entry fields exactly, `since` is a sequence number."""
        since = int(filters.get("since", 0) or 0)
        wanted = {k: v for k, v in filters.items() if k not in ("since", "limit") and v not in (None, "")}
        with self._lock:
            entries: Iterable[dict[str, Any]] = list(self._entries)
        out = []
        for entry in entries:
            if entry["seq"] <= since:
                continue
            if all(_field_matches(entry, k, v) for k, v in wanted.items()):
                out.append(entry)
        return out[-limit:] if limit else out

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    @property
    def last_seq(self) -> int:
        return self._seq


def _field_matches(entry: Mapping[str, Any], key: str, wanted: Any) -> bool:
    value = entry.get(key)
    if key in ("fault", "unmatched") and wanted in ("true", True):
        return value is not None
    if isinstance(value, int) and isinstance(wanted, str) and wanted.isdigit():
        return value == int(wanted)
    return value == wanted


def preview(body: bytes | None) -> str | None:
    if not body:
        return None
    text = body[:BODY_PREVIEW_BYTES].decode("utf-8", errors="replace")
    return text + ("…" if len(body) > BODY_PREVIEW_BYTES else "")
