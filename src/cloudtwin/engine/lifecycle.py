"""Resource lifecycles on the virtual clock.

Transitional states and how long they last come from each provider's
`fixtures/<provider>/lifecycles.yaml`. Entering a timed state puts one event in an
ordered queue keyed by virtual time; draining the queue up to `now` applies every due
transition in order, so advancing thirty days costs what the due events cost.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

from .clock import parse_duration
from .store import Row


@dataclass(order=True)
class Event:
    due: float
    seq: int
    action: str = field(compare=False)  # "lifecycle", or a timer a provider registered
    payload: dict[str, Any] = field(compare=False, default_factory=dict)
    cancelled: bool = field(compare=False, default=False, repr=False)


class Scheduler:
    """An ordered queue of events on virtual time.

    Cancelling marks events and leaves them in the heap until they reach its top (or until
    they are half of it): a cancel costs what the cancelled action's own events cost, not a
    rebuild of the whole queue (10,000 instances turning active each moved the credit timer)."""

    def __init__(self) -> None:
        self._queue: list[Event] = []
        self._counter = itertools.count()
        self._by_action: dict[str, dict[int, Event]] = {}  # live events per action, for cancel
        # Live events per resource they concern (payload provider/kind/id), for a resource's page:
        # one event, or a list when several wait (a superseded lifecycle event not yet due).
        self._by_subject: dict[tuple[Any, Any, Any], Event | list[Event]] = {}
        self._dead = 0  # cancelled events still in the heap

    def __len__(self) -> int:
        return len(self._queue) - self._dead

    def at(self, due: float, action: str, payload: dict[str, Any]) -> Event:
        event = Event(due, next(self._counter), action, payload)
        heapq.heappush(self._queue, event)
        self._by_action.setdefault(action, {})[event.seq] = event
        self._index(event)
        return event

    def _index(self, event: Event) -> None:
        subject = _subject(event.payload)
        if subject is None:
            return
        held = self._by_subject.get(subject)
        if held is None:
            self._by_subject[subject] = event
        elif isinstance(held, list):
            held.append(event)
        else:
            self._by_subject[subject] = [held, event]

    def _unindex(self, event: Event) -> None:
        subject = _subject(event.payload)
        held = self._by_subject.get(subject) if subject is not None else None
        if held is event:
            del self._by_subject[subject]  # type: ignore[arg-type]
        elif isinstance(held, list):
            held[:] = [e for e in held if e is not event]
            if len(held) == 1:
                self._by_subject[subject] = held[0]  # type: ignore[index]

    def concerning(self, provider: str, kind: str, resource_id: str) -> list[Event]:
        """The pending events whose payload names this resource, earliest first."""
        held = self._by_subject.get((provider, kind, resource_id))
        events = [] if held is None else held if isinstance(held, list) else [held]
        return sorted(e for e in events if not e.cancelled)

    def earliest(self, count: int) -> Iterator[Event]:
        """Pending events in due order, lazily: walks the heap from its root, so the first `count`
        cost about count * log(count), not a sort of the queue."""
        queue = self._queue
        frontier = [(queue[0], 0)] if queue else []
        while frontier:
            event, index = heapq.heappop(frontier)
            if not event.cancelled:
                yield event
            for child in (2 * index + 1, 2 * index + 2):
                if child < len(queue):
                    heapq.heappush(frontier, (queue[child], child))

    def cancel(self, action: str, **match: Any) -> int:
        """Drop the pending events of `action` whose payload holds these values; how many went.
        A timer that is superseded (not merely made stale) must not wait in the queue for years."""
        live = self._by_action.get(action)
        if not live:
            return 0
        gone = [e for e in live.values() if all(e.payload.get(k) == v for k, v in match.items())]
        for event in gone:
            del live[event.seq]
            event.cancelled = True
            self._unindex(event)
        self._dead += len(gone)
        if self._dead > 64 and self._dead * 2 > len(self._queue):
            self._queue = [e for e in self._queue if not e.cancelled]
            heapq.heapify(self._queue)
            self._dead = 0
        return len(gone)

    def _prune(self) -> None:
        while self._queue and self._queue[0].cancelled:
            heapq.heappop(self._queue)
            self._dead -= 1

    def live(self) -> Iterator[Event]:
        """Every pending event, in no particular order (for looking, not for applying)."""
        return (e for e in self._queue if not e.cancelled)

    def next_due(self) -> float | None:
        self._prune()
        return self._queue[0].due if self._queue else None

    def pop_due(self, until: float) -> Event | None:
        self._prune()
        if self._queue and self._queue[0].due <= until:
            event = heapq.heappop(self._queue)
            self._by_action.get(event.action, {}).pop(event.seq, None)
            self._unindex(event)
            return event
        return None

    def export(self) -> list[list[Any]]:
        return [[e.due, e.seq, e.action, e.payload] for e in sorted(self._queue) if not e.cancelled]

    def restore(self, events: list[list[Any]]) -> None:
        self._queue = [Event(due, seq, action, payload) for due, seq, action, payload in events]
        heapq.heapify(self._queue)
        self._by_action = {}
        self._by_subject = {}
        for event in self._queue:
            self._by_action.setdefault(event.action, {})[event.seq] = event
            self._index(event)
        self._dead = 0
        start = max((e.seq for e in self._queue), default=-1) + 1
        self._counter = itertools.count(start)


def _subject(payload: Mapping[str, Any]) -> tuple[Any, Any, Any] | None:
    """The resource an event concerns, when its payload names one (provider, kind and id)."""
    if "id" in payload and "kind" in payload and "provider" in payload:
        return (payload["provider"], payload["kind"], payload["id"])
    return None


@dataclass(frozen=True)
class Transition:
    after: float | None  # None: the state lasts until something else moves it
    then: str | None = None
    remove: bool = False


@dataclass(frozen=True)
class Machine:
    kind: str
    field: str
    states: Mapping[str, Transition]

    @classmethod
    def from_fixture(cls, kind: str, raw: Mapping[str, Any]) -> "Machine":
        states: dict[str, Transition] = {}
        status_field = "status"
        for state, spec in raw.items():
            if state == "_field":
                status_field = str(spec)
                continue
            spec = spec or {}
            after = spec.get("after")
            states[str(state)] = Transition(
                after=None if after is None else parse_duration(after),
                then=None if spec.get("then") is None else str(spec["then"]),
                remove=bool(spec.get("remove", False)),
            )
        return cls(kind, status_field, states)


# A lifecycle override (a fault rule) may change how a state ends: stay longer, for ever,
# or end somewhere else. It receives the row, the state and the normal transition.
Override = Callable[[str, Row, str, "Transition | None"], "Transition | None"]
# A provider hook runs when a row enters a state: (row, state, at) -> None.
EnterHook = Callable[[Row, str, float], None]
RemoveHook = Callable[[Row, float], None]
# The engine's own record of a state change: (row, state before, state after, at) -> None.
ChangeHook = Callable[[Row, "str | None", str, float], None]


class Lifecycles:
    """One provider's state machines, bound to the twin's scheduler."""

    def __init__(self, provider: str, machines: Mapping[str, Machine], scheduler: Scheduler) -> None:
        self.provider = provider
        self.machines = dict(machines)
        self._scheduler = scheduler
        self.on_enter: EnterHook | None = None
        self.on_remove: RemoveHook | None = None
        self.override: Override | None = None
        self.on_change: ChangeHook | None = None

    def machine(self, kind: str) -> Machine:
        try:
            return self.machines[kind]
        except KeyError:
            raise KeyError(f"{self.provider}: no lifecycle for {kind!r} in lifecycles.yaml") from None

    def enter(self, row: Row, state: str, at: float) -> None:
        """Put a row in a state and schedule how that state ends."""
        machine = self.machine(row.kind)
        before = row.data.get(machine.field)
        row.data[machine.field] = state
        if self.on_change is not None:
            self.on_change(row, None if before is None else str(before), state, at)
        generation = int(row.meta.get("lifecycle_generation", 0)) + 1
        row.meta["lifecycle_generation"] = generation
        row.meta["entered_at"] = at
        transition = machine.states.get(state)
        if self.override is not None:
            transition = self.override(self.provider, row, state, transition)
        if transition is not None and transition.after is not None:
            self._scheduler.at(
                at + transition.after,
                "lifecycle",
                {
                    "provider": self.provider,
                    "kind": row.kind,
                    "id": row.id,
                    "generation": generation,
                    "then": transition.then,
                    "remove": transition.remove,
                },
            )
        if self.on_enter is not None:
            self.on_enter(row, state, at)

    def apply(self, row: Row, payload: Mapping[str, Any], at: float) -> bool:
        """Apply a due lifecycle event; False when the row has moved on since."""
        if row.meta.get("lifecycle_generation") != payload["generation"]:
            return False
        if payload["remove"]:
            if self.on_remove is not None:
                self.on_remove(row, at)
            return True
        if payload["then"] is not None:
            self.enter(row, payload["then"], at)
        return True
