"""The client's clock is the twin's: under `virtual_time(handle)`, the test process's
`time.time`, `time.monotonic`, `time.perf_counter`, `datetime.now`/`utcnow` and `date.today`
read the twin's virtual clock (through freezegun), and `time.sleep(s)` advances the twin's
clock by `s` instead of waiting. A client that backs off for ten minutes finishes at once, and
the journal shows the ten minutes, so its verdicts are those of a client that really waited.

The twin itself (cloudtwin, Flask, Werkzeug, gunicorn frames) keeps reading the real clock for
its `wall` stamps: freezegun's ignore list. Code that bound `from time import sleep` before the
context began keeps the real sleep; call `time.sleep` (or pass it in) to be virtual.
"""

from __future__ import annotations

import datetime as dt
import numbers
import time
from contextlib import contextmanager
from typing import Any, Iterator

import freezegun
from freezegun import api as freezegun_api

# Frames of these modules see the real clock (the twin, and the server that serves it).
IGNORE = ["cloudtwin.", "werkzeug.", "flask.", "gunicorn.", "threading", "queue", "selectors", "socketserver"]


class TwinTime:
    """A freezegun time factory whose "now" is the twin's virtual clock."""

    def __init__(self, twin: Any) -> None:
        self.twin = twin

    def __call__(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.twin.clock.now(), tz=dt.timezone.utc).replace(tzinfo=None)

    def tick(self, delta: dt.timedelta | float = dt.timedelta(seconds=1)) -> dt.datetime:
        seconds = delta.total_seconds() if isinstance(delta, dt.timedelta) else float(delta)  # type: ignore[arg-type]
        if seconds > 0:
            self.twin.advance(seconds)
        return self()

    def move_to(self, target: Any) -> None:
        moved = freezegun_api._parse_time_to_freeze(target)  # the same inputs freezegun accepts
        self.tick((moved - self()).total_seconds())


@contextmanager
def virtual_time(handle: Any) -> Iterator[TwinTime]:
    """Tie this process's clock to the twin's (a TwinHandle, a ServedTwin or a Twin)."""
    twin = getattr(handle, "twin", handle)
    source = TwinTime(twin)
    freezer = freezegun.freeze_time(source(), ignore=IGNORE)
    started = freezer.start()
    # freezegun reads "now" from the factory on top of its stack: put the twin's clock there.
    index = freezegun_api.freeze_factories.index(started)
    freezegun_api.freeze_factories[index] = source  # type: ignore[assignment]
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        if not isinstance(seconds, numbers.Real) or seconds < 0:
            real_sleep(seconds)  # let the real one raise what it raises
        source.tick(float(seconds))

    time.sleep = sleep
    try:
        yield source
    finally:
        time.sleep = real_sleep
        freezer.stop()
