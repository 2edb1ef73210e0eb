"""Prebuilt twins: build one per set of options per process, hand out fresh copies of its state.

The `cloudtwin` fixture and scenario replays want "the twin these options build" again and
again. Building it reads and checks the fixtures, runs every provider's setup and mounts every
route (tens of milliseconds); restoring a snapshot of the built state costs about two. So the
first request for a set of options builds a twin and its WSGI app and snapshots the state;
each later one restores that snapshot into the same twin: a new copy of every state part
(store, clock, ids, scheduler, faults, journal, history, rate limits), nothing shared with
what the previous user left, the same ids for the same seed as a fresh build.

A prebuilt twin serves one user at a time: `checkout` while it is out builds a fresh,
uncached one instead. Its state is stamped at the instant the process first built it (a
frozen clock stays at that instant for every copy).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Hashable, Iterator, Mapping

from flask import Flask

from ..engine.snapshot import Snapshot
from ..engine.twin import Twin

MAX_PREBUILT = 8  # distinct option sets kept per process (a suite uses a handful)


@dataclass
class Prebuilt:
    twin: Twin
    app: Flask
    snapshot: Snapshot
    in_use: bool = False


_cache: OrderedDict[Hashable, Prebuilt] = OrderedDict()
_cache_lock = threading.Lock()


def options_key(*parts: Any) -> Hashable:
    """A cache key from plain options (lists, dicts, paths, numbers): equal options, equal key."""
    return json.dumps(parts, sort_keys=True, default=lambda value: f"{type(value).__name__}:{value}")


def acquire(key: Hashable, build: Callable[[], Twin]) -> tuple[Twin, Flask, Callable[[], None]]:
    """A twin in the state `build` leaves it, its app, and what gives it back: a restored copy
    when this process built one for `key` before and nobody is using it, else a new build."""
    from ..app import create_app

    with _cache_lock:
        entry = _cache.get(key)
        free = entry is not None and not entry.in_use
        if free:
            assert entry is not None
            entry.in_use = True
            _cache.move_to_end(key)
    if free:
        assert entry is not None
        entry.twin.restore(entry.snapshot)
    else:
        twin = build()
        app = create_app(twin)
        if entry is not None:  # the prebuilt one is out (two users at once): this one is not cached
            return twin, app, _nothing
        entry = Prebuilt(twin, app, twin.snapshot(), in_use=True)
        with _cache_lock:
            _cache[key] = entry
            while len(_cache) > MAX_PREBUILT:
                _cache.popitem(last=False)
    taken, released = entry, [False]

    def release() -> None:  # once per acquire: a late second call must not free the next user's copy
        with _cache_lock:
            if not released[0]:
                released[0] = True
                taken.in_use = False
    return taken.twin, taken.app, release


def _nothing() -> None:
    return None


@contextmanager
def checkout(key: Hashable, build: Callable[[], Twin]) -> Iterator[tuple[Twin, Flask]]:
    """`acquire` for the length of a `with` block."""
    twin, app, release = acquire(key, build)
    try:
        yield twin, app
    finally:
        release()


def clear() -> None:
    """Forget every prebuilt twin (tests of the cache itself)."""
    with _cache_lock:
        _cache.clear()


def fixtures_key(fixtures: Path | None, overrides: Mapping[str, Any] | None) -> tuple[Any, Any]:
    return (str(Path(fixtures).resolve()) if fixtures is not None else None, overrides)
