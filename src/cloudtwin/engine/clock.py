"""The virtual clock: the only place in cloudtwin that reads the wall clock.

Real time by default; tests and scenarios freeze it, set it and advance it. Listeners
(the lifecycle scheduler) are told whenever it jumps, so that due events apply at once.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable, Mapping


class Clock:
    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self._offset = 0.0
        self._frozen_at: float | None = None
        self._lock = threading.Lock()

    # Reading -------------------------------------------------------------------------
    def now(self) -> float:
        """Virtual time as POSIX seconds."""
        frozen = self._frozen_at
        return frozen if frozen is not None else self._wall() + self._offset

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def describe(self) -> dict[str, object]:
        now = self.now()
        return {
            "now": iso(now),
            "epoch": now,
            "frozen": self.frozen,
            "offset_seconds": round(now - self._wall(), 6),
        }

    # Moving --------------------------------------------------------------------------
    def freeze(self, at: float | None = None) -> None:
        with self._lock:
            self._frozen_at = self.now() if at is None else at

    def unfreeze(self) -> None:
        """Let time run again from the current virtual instant."""
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - self._wall()
                self._frozen_at = None

    def set(self, at: float) -> None:
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at = at
            else:
                self._offset = at - self._wall()

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += seconds
            else:
                self._offset += seconds

    # Persistence ---------------------------------------------------------------------
    def export(self) -> dict[str, object]:
        return {"now": self.now(), "frozen": self.frozen}

    def restored(self, state: Mapping[str, Any]) -> "Clock":
        """A new clock on the same wall, at the instant (and frozen or not) an export says."""
        clock = Clock(self._wall)
        clock.restore(state)
        return clock

    def restore(self, state: Mapping[str, Any]) -> None:  # an export, read back from JSON
        at = float(state["now"])
        with self._lock:
            if state.get("frozen"):
                self._frozen_at = at
            else:
                self._frozen_at = None
                self._offset = at - self._wall()


def iso(ts: float, *, millis: bool = True) -> str:
    """RFC 3339 in UTC with a `Z`, as every provider writes timestamps."""
    # datetime.fromtimestamp's own split: microseconds rounded half to even, carried into the second
    fraction, whole = math.modf(ts)
    micro = round(fraction * 1e6)
    if micro >= 1_000_000:
        whole, micro = whole + 1, micro - 1_000_000
    elif micro < 0:
        whole, micro = whole - 1, micro + 1_000_000
    text = _whole_second(int(whole))
    return text + (f".{micro // 1000:03d}Z" if millis else "Z")


@functools.lru_cache(maxsize=4096)
def _whole_second(seconds: int) -> str:
    """Every request journals its instant and most write one or two: under a frozen or slowly
    moving clock they fall in the same few seconds, whose calendar is worked out once."""
    dt = datetime.fromtimestamp(seconds, tz=timezone.utc)
    # Not strftime("%Y"): glibc writes year 324 as "324", which is no RFC 3339 date.
    return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"


def parse_iso(text: str) -> float:
    value = text.strip()
    if value.endswith("Z") or value.endswith("z"):
        value = value[:-1] + "+00:00"
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: str | int | float) -> float:
    """`90s`, `2h`, `30d`, `1h30m`, `250ms`, or a number of seconds."""
    if isinstance(value, (int, float)):
        return float(value)
    text = value.strip().lower()
    try:
        return float(text)
    except ValueError:
        pass
    total, number = 0.0, ""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isdigit() or ch == ".":
            number += ch
            i += 1
            continue
        unit = "ms" if text.startswith("ms", i) else ch
        if unit not in _UNITS or not number:
            raise ValueError(f"not a duration: {value!r}")
        total += float(number) * _UNITS[unit]
        number = ""
        i += len(unit)
    if number:
        raise ValueError(f"not a duration (missing unit): {value!r}")
    return total
