"""Prebuilt twins: build once per process, hand out fresh copies of a state.

The `cloudtwin` fixture and scenario replays want "the twin these options build" again and
again. Building one reads and checks the fixtures and mounts every route (tens of
milliseconds); setting up a state runs every provider's setup (a few); restoring a snapshot
of a state costs about one. So a process keeps, per set of *build* options (providers,
fixtures, overrides), one twin with its WSGI app, and per *state* options (seed, frozen clock,
extra accounts; a scenario's fixture overrides) a snapshot of the state they give, from the
second time that state is asked for (the first time the twin is reseeded and set up: a folder
of scenarios asks for each seed once). Each user gets a new copy of every state
part (store, clock, ids, scheduler, faults, journal, history, rate limits): nothing shared with
what the previous user left, the same ids for the same seed as a fresh build.

A prebuilt twin serves one user at a time: asking while it is out builds a fresh, uncached
one instead. A remembered state is stamped at the instant the process made it (a frozen clock
stays at that instant in every copy).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Hashable, Iterator, Mapping

from flask import Flask

from ..engine.snapshot import Snapshot
from ..engine.twin import Twin

MAX_BUILDS = 8  # distinct build options kept per process (a suite uses a handful)
MAX_STATES = 64  # snapshots kept per build (one per seed a suite or scenario folder uses; ~60 KB each)
MAX_ASKED_ONCE = 1024  # state keys kept per build to know a second request for a state


@dataclass
class Prebuilt:
    twin: Twin
    app: Flask
    states: OrderedDict[Hashable, Snapshot] = field(default_factory=OrderedDict)
    # States set up once and not remembered: a snapshot is taken the second time one is asked
    # for. A folder of scenarios asks for each seed once (a snapshot each was waste); a suite's
    # fixture asks for the same state again and again.
    asked_once: OrderedDict[Hashable, None] = field(default_factory=OrderedDict)
    in_use: bool = False

    def remember(self, state_key: Hashable) -> None:
        self.states[state_key] = self.twin.snapshot()
        while len(self.states) > MAX_STATES:
            self.states.popitem(last=False)

    def remember_if_asked_before(self, state_key: Hashable) -> None:
        if state_key in self.asked_once:
            del self.asked_once[state_key]
            self.remember(state_key)
            return
        self.asked_once[state_key] = None
        while len(self.asked_once) > MAX_ASKED_ONCE:
            self.asked_once.popitem(last=False)


_cache: OrderedDict[Hashable, Prebuilt] = OrderedDict()
_cache_lock = threading.Lock()


def options_key(*parts: Any) -> Hashable:
    """A cache key from plain options (lists, dicts, paths, numbers): equal options, equal key."""
    return json.dumps(parts, sort_keys=True, default=lambda value: f"{type(value).__name__}:{value}")


def fixtures_key(fixtures: Path | None) -> str | None:
    return str(Path(fixtures).resolve()) if fixtures is not None else None


def acquire(build_key: Hashable, state_key: Hashable, seed: int | str, build: Callable[[int | str], Twin],
            setup: Callable[[Twin], None],
            prepare: Callable[[Twin], None] | None = None) -> tuple[Twin, Flask, Callable[[], None]]:
    """A twin as `build(seed)` then `setup(twin)` leave it, its app, and what gives it back.

    A copy of a remembered state when this process made it before and the twin is free; the
    prebuilt twin reseeded and set up (then remembered) for a new state; a build for new build
    options (then kept). `prepare`, when given, puts the prebuilt twin into what `build` would
    have made of options the state key carries (a scenario's fixture overrides: `use_overrides`)
    before its state is restored or rebuilt."""
    from ..app import create_app

    with _cache_lock:
        entry = _cache.get(build_key)
        free = entry is not None and not entry.in_use
        if entry is not None and free:
            entry.in_use = True
            _cache.move_to_end(build_key)
    if entry is not None and free:
        if prepare is not None:
            prepare(entry.twin)
        snapshot = entry.states.get(state_key)
        if snapshot is not None:
            entry.twin.restore(snapshot)
            entry.states.move_to_end(state_key)
        else:
            entry.twin.reseed(seed)
            setup(entry.twin)
            entry.remember_if_asked_before(state_key)
    else:
        twin = build(seed)
        setup(twin)
        app = create_app(twin)
        if entry is not None:  # the prebuilt one is out (two users at once): this one is not kept
            return twin, app, _nothing
        entry = Prebuilt(twin, app, in_use=True)
        entry.remember(state_key)
        with _cache_lock:
            _cache[build_key] = entry
            while len(_cache) > MAX_BUILDS:
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
def checkout(build_key: Hashable, state_key: Hashable, seed: int | str, build: Callable[[int | str], Twin],
             setup: Callable[[Twin], None]) -> Iterator[tuple[Twin, Flask]]:
    """`acquire` for the length of a `with` block."""
    twin, app, release = acquire(build_key, state_key, seed, build, setup)
    try:
        yield twin, app
    finally:
        release()


def clear() -> None:
    """Forget every prebuilt twin (tests of the cache itself)."""
    with _cache_lock:
        _cache.clear()


def plain(value: Mapping[str, Any] | None) -> Any:
    return dict(value) if value else None
