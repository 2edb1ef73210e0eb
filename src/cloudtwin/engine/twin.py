"""The twin: one clock, one store, one scheduler, one fault engine, many providers."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from . import resources
from .clock import Clock, iso
from .faults import FaultEngine, FaultTargets, lifecycle_states
from .faults.targets import ApiTarget
from .fixture_schemas import FixtureSchemaError, check_fixtures
from .fixtures import load_folder, merge
from .history import History
from .ids import Ids
from .journal import Journal
from .lifecycle import ChangeHook, EnterHook, Event, Lifecycles, Machine, RemoveHook, Scheduler, Transition
from .provider import Api, Context, Provider
from .ratelimit import RateLimiter
from .resource_kinds import ResourceKinds
from .snapshot import Snapshot
from .spec import Spec, SpecError
from .state_document import StateError, StateVersionError, check_state
from .store import Account, Row, Store
from .twin_state import RetryMarks, TwinState

__all__ = ["FixtureSchemaError", "StateError", "StateVersionError", "Twin"]

MAX_FIXTURE_SETS = 16  # fixture sets a twin keeps for `use_overrides` (a scenario folder uses a few)


class Twin:
    def __init__(
        self,
        providers: Iterable[Provider],
        *,
        seed: int | str = 0,
        fixtures: Path | None = None,
        overrides: Mapping[str, Any] | None = None,
        spec_dir: Path | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.providers: dict[str, Provider] = {p.name: p for p in providers}
        self.seed = seed
        self.lock = threading.RLock()
        # Who hears of every journal entry (serve's request log): the twin's, not a state's, so a
        # reset or an import, which start a new journal, keep them.
        self.journal_listeners: list[Callable[[dict[str, Any]], None]] = []
        self._applying_at: float | None = None  # the due time of the event being applied
        self._initial_clock = clock or Clock()
        self.state: TwinState  # everything reset, export and import replace: see twin_state.py
        self.specs: dict[str, Spec] = {}
        self._load_specs(spec_dir or resources.spec_dir())
        base = load_folder(resources.fixtures_dir(), self.providers)
        if fixtures is not None:
            base = merge(base, load_folder(fixtures, self.providers))
        self.base_fixtures = merge(base, overrides or {})
        # A fixture row that could not be served as its resource stops the start, naming file and line.
        roots = [fixtures, resources.fixtures_dir()] if fixtures is not None else [resources.fixtures_dir()]
        check_fixtures(self.specs.values(), self.base_fixtures, roots)
        # What `use_overrides` merges other overrides onto (the folders' fixtures, before any
        # overrides), and the fixture sets it made, each checked once: key -> (fixtures, the
        # fault targets and resource kinds they give).
        self._folder_fixtures, self._fixture_roots = base, roots
        self._fixture_sets: dict[str, tuple[dict[str, Any], FaultTargets, ResourceKinds]] = {}
        self.reset()
        self._fixture_sets[_overrides_key(overrides or {})] = (self.base_fixtures, self.fault_targets,
                                                               self.resource_kinds)

    # Specs ---------------------------------------------------------------------------
    def _load_specs(self, folder: Path) -> None:
        for provider in self.providers.values():
            for api in provider.apis:
                spec = Spec.load(folder / api.spec_file, api.name)
                missing = sorted(set(spec.operations) - api.handlers.operation_ids())
                if missing:
                    raise SpecError(f"{api.spec_file}: no handler for {', '.join(missing)}")
                extra = sorted(api.handlers.operation_ids() - set(spec.operations))
                if extra:
                    raise SpecError(f"{api.name}: handlers for unknown operations {', '.join(extra)}")
                self.specs[api.name] = spec

    def apis(self) -> Iterable[tuple[Provider, Api]]:
        for provider in self.providers.values():
            for api in provider.apis:
                yield provider, api

    # State ---------------------------------------------------------------------------
    # The state, part by part (read-only: a reset or an import replaces the whole state) --------
    @property
    def clock(self) -> Clock:
        return self.state.clock

    @property
    def ids(self) -> Ids:
        return self.state.ids

    @property
    def store(self) -> Store:
        return self.state.store

    @property
    def scheduler(self) -> Scheduler:
        return self.state.scheduler

    @property
    def lifecycles(self) -> dict[str, Lifecycles]:
        return self.state.lifecycles

    @property
    def faults(self) -> FaultEngine:
        return self.state.faults

    @property
    def fixtures(self) -> dict[str, Any]:
        return self.state.fixtures

    @property
    def rate_limiters(self) -> dict[str, RateLimiter]:
        return self.state.rate_limiters

    @property
    def journal(self) -> Journal:
        return self.state.journal

    @property
    def retry_marks(self) -> RetryMarks:
        return self.state.retry_marks

    def _new_state(self, clock: Clock, ids: Ids, store: Store, scheduler: Scheduler,
                   fixtures: dict[str, Any]) -> TwinState:
        """A whole state around these parts: lifecycles on its scheduler, a fault engine drawing
        from its ids, rate-limit buckets from its fixtures, an empty journal, no retry marks."""
        state = TwinState(clock=clock, ids=ids, store=store, scheduler=scheduler, fixtures=fixtures,
                          faults=FaultEngine(ids, self.fault_targets),
                          journal=Journal(listeners=self.journal_listeners))
        state.lifecycles = self._build_lifecycles(fixtures, scheduler)
        state.rate_limiters = {name: RateLimiter(fixtures[name].get("rate_limits")) for name in self.providers}
        return state

    def reset(self, *, reset_clock: bool = False) -> None:
        """Back to the fixtures: a whole new state (store, queue, rules, ids, journal, limits);
        the clock keeps its time unless `reset_clock`."""
        with self.lock:
            current = getattr(self, "state", None)
            clock = Clock() if reset_clock else current.clock if current is not None else self._initial_clock
            fixtures = {name: self.base_fixtures.get(name, {}) for name in self.providers}
            state = self._new_state(clock, Ids(self.seed), Store(), Scheduler(), fixtures)
            self._load_fixture_faults(state)
            self.state = state  # the providers seed the new state through the twin, as requests do
            self._start_history()
            now = self.clock.now()
            for provider in self.providers.values():
                if provider.setup:
                    provider.setup(Context(self, provider.name, None, now))
            for raw in self.base_fixtures.get("accounts", []):
                self.add_account(raw)

    def reseed(self, seed: int | str) -> None:
        """Back to the fixtures under another seed, numbered as a twin built with it would be
        (a new clock, journal and history): the build's specs and checked fixtures are kept."""
        with self.lock:
            self.seed = seed
            vars(self).pop("history", None)  # numbering starts again, as in a new twin
            self.reset(reset_clock=True)

    def use_overrides(self, overrides: Mapping[str, Any]) -> None:
        """Take the fixtures a twin built with these overrides would have (merged over the
        fixture folders instead of the overrides this one has, and checked the same way), for
        the next reset, reseed or restore. A prebuilt twin and its app so serve scenarios that
        override fixtures without a build each: a set is merged and checked once, then kept."""
        key = _overrides_key(overrides)
        with self.lock:
            if key not in self._fixture_sets:
                fixtures = merge(self._folder_fixtures, overrides)
                check_fixtures(self.specs.values(), fixtures, self._fixture_roots)
                self._fixture_sets[key] = (fixtures, self._fault_targets_for(fixtures),
                                           ResourceKinds.declared(self, fixtures))
                while len(self._fixture_sets) > MAX_FIXTURE_SETS:
                    self._fixture_sets.pop(next(iter(self._fixture_sets)))
            # The cached properties below are what this fixture set gives.
            self.base_fixtures, vars(self)["fault_targets"], vars(self)["resource_kinds"] = self._fixture_sets[key]

    @cached_property
    def fault_targets(self) -> FaultTargets:
        """What a fault rule may name here: served operations and the fixtures' lifecycle states.

        Built once per fixture set: the specs, the providers and the fixtures' lifecycles are
        fixed at build or by `use_overrides` (a reset, a reseed or an import keeps them; the
        control plane changes only rate limits), and every state's fault engine shares it
        read-only."""
        return self._fault_targets_for(self.base_fixtures)

    def _fault_targets_for(self, fixtures: Mapping[str, Any]) -> FaultTargets:
        apis = []
        for provider, api in self.apis():
            methods: dict[str, frozenset[str]] = {}
            for op_id, operation in self.specs[api.name].operations.items():
                methods[op_id] = frozenset({operation.method} | ({"HEAD"} if operation.method == "GET" else set()))
            apis.append(ApiTarget(provider.name, api.name, methods))
        lifecycles = {name: lifecycle_states((fixtures.get(name) or {}).get("lifecycles") or {})
                      for name in self.providers}
        return FaultTargets(apis, lifecycles)

    def _load_fixture_faults(self, state: TwinState) -> None:
        """Rules a provider's `faults.yaml` declares: part of the fixtures, so part of every reset."""
        for name in self.providers:
            for raw in state.fixtures[name].get("faults") or []:
                state.faults.add({**raw, "match": {"provider": name, **(raw.get("match") or {})}})

    def _lifecycle_override(self, provider: str, row: Row, state: str,
                            normal: Transition | None) -> Transition | None:
        """A lifecycle fault rule may change how a state ends; the decision is journaled."""
        now = float(row.meta.get("entered_at", self.clock.now()))
        decision = self.faults.decide_lifecycle(provider, row, state, now)
        if decision is None or decision.rule.lifecycle is None:
            return normal
        fault = decision.rule.lifecycle
        row.meta["fault"] = {"rule": decision.rule.id, "state": state, "message": fault.message}
        self.journal.record({
            "provider": provider, "event": "lifecycle_fault", "at": iso(now), "epoch": now,
            "fault": {"rule": decision.rule.id, "kind": "lifecycle", "draw": decision.draw, "at": iso(now),
                      "nth": decision.nth,
                      "resource": {"kind": row.kind, "id": row.id}, "state": state, **fault.to_dict()},
        })
        return fault.transition(normal)

    def _build_lifecycles(self, fixtures: Mapping[str, Any], scheduler: Scheduler) -> dict[str, Lifecycles]:
        out: dict[str, Lifecycles] = {}
        for name, provider in self.providers.items():
            raw = fixtures[name].get("lifecycles") or {}
            machines = {kind: Machine.from_fixture(kind, states or {}) for kind, states in raw.items()}
            lifecycles = Lifecycles(name, machines, scheduler)
            lifecycles.override = self._lifecycle_override
            lifecycles.on_change = self._change_hook(name)
            if provider.on_enter is not None:
                lifecycles.on_enter = self._enter_hook(provider.name, provider.on_enter)
            if provider.on_remove is not None:
                lifecycles.on_remove = self._remove_hook(provider.name, provider.on_remove)
            out[name] = lifecycles
        return out

    def _change_hook(self, provider: str) -> ChangeHook:
        def hook(row: Row, before: str | None, after: str, at: float) -> None:
            self.history.changed(provider, row, before, after, at)
        return hook

    def _enter_hook(self, provider: str, on_enter: Callable[[Context, Row, str], None]) -> EnterHook:
        def hook(row: Row, state: str, at: float) -> None:
            on_enter(self._row_context(provider, row.account, at), row, state)
        return hook

    def _remove_hook(self, provider: str, on_remove: Callable[[Context, Row], None]) -> RemoveHook:
        def hook(row: Row, at: float) -> None:
            on_remove(self._row_context(provider, row.account, at), row)
        return hook

    def _row_context(self, provider: str, account_id: str, at: float) -> Context:
        return Context(self, provider, self.store.accounts.get(account_id), at)

    def add_account(self, raw: Mapping[str, Any]) -> Account:
        """Create an account, filling in credentials for any provider that lacks them."""
        with self.lock:
            account_id = str(raw.get("id") or f"acct-{self.ids.hex(8, 'accounts')}")
            credentials = {k: dict(v) for k, v in (raw.get("credentials") or {}).items()}
            for provider in self.providers.values():
                if provider.name not in credentials and provider.new_credentials is not None:
                    credentials[provider.name] = provider.new_credentials(Context(self, provider.name, None, 0).ids)
            account = self.store.add_account(Account(
                id=account_id, name=str(raw.get("name", account_id)), credentials=credentials,
                settings={k: dict(v) for k, v in (raw.get("settings") or {}).items()},
            ))
            now = self.clock.now()
            for provider in self.providers.values():
                if provider.setup_account:
                    provider.setup_account(Context(self, provider.name, account, now))
            return account

    # Time ----------------------------------------------------------------------------
    def drain(self, until: float | None = None) -> int:
        """Apply every event due by `until` (default: now), in order. Caller holds the lock."""
        limit = self.clock.now() if until is None else until
        applied = 0
        while (event := self.scheduler.pop_due(limit)) is not None:
            self._applying_at = event.due
            try:
                self._apply(event)
            finally:
                self._applying_at = None
            applied += 1
        return applied

    def instant(self) -> float:
        """Virtual now, or while a due event is applied, the instant it was due."""
        return self.clock.now() if self._applying_at is None else self._applying_at

    def advance(self, seconds: float) -> int:
        with self.lock:
            self.clock.advance(seconds)
            applied = self.drain()
            self.store.settle()
            return applied

    def set_time(self, at: float) -> int:
        with self.lock:
            if at < self.clock.now():
                raise ValueError("the virtual clock cannot move backwards")
            self.clock.set(at)
            applied = self.drain()
            self.store.settle()
            return applied

    def _apply(self, event: Event) -> None:
        payload = event.payload
        if event.action == "lifecycle":
            provider = payload["provider"]
            table = self.store.table(provider, payload["kind"])
            row = table.get(payload["id"])
            if row is not None and self.lifecycles[provider].apply(row, payload, event.due) and payload["remove"]:
                table.remove(row.id)
            return
        provider_name, _, timer = event.action.partition(":")
        provider = self.providers[provider_name]
        account = self.store.accounts.get(payload.get("account", "")) if payload.get("account") else None
        provider.timers[timer](Context(self, provider_name, account, event.due), payload)

    # Seeing inside -------------------------------------------------------------------
    @cached_property
    def resource_kinds(self) -> ResourceKinds:
        """The kinds the providers' specs declare as resources (`x-cloudtwin.resources`)."""
        return ResourceKinds.declared(self)

    def _start_history(self) -> None:
        """A fresh record of state changes, hearing of every row the new store creates or removes."""
        previous = getattr(self, "history", None)
        self.history = History(self.resource_kinds, self.instant, self.resource_kinds.state_of,
                               self.resource_kinds.id_of, after_seq=previous.last_seq if previous else 0)
        self.store.observer = self.history

    # Copies --------------------------------------------------------------------------
    # What the twin is rather than what it holds: a snapshot points to these, never copies them.
    def snapshot(self) -> Snapshot:
        """This twin's whole state, frozen: `restore` makes it current again, as often as wanted
        (a test fixture or a scenario run gets the prebuilt default twin without rebuilding it)."""
        with self.lock:
            # Fixtures are read-only below the top level (an admin change replaces a provider's
            # dict): the snapshot keeps them aside, copied one level deep, rather than pickled.
            parts = {"state": replace(self.state, fixtures={}), "history": self.history}
            shared = [self, self.resource_kinds, *self.providers.values(), *self.specs.values()]
            return Snapshot(parts, shared, fixtures=dict(self.state.fixtures))

    def restore(self, snapshot: Snapshot) -> None:
        """Replace the whole state with a new copy of `snapshot`'s (taken from this twin)."""
        parts = snapshot.thaw()
        state: TwinState = parts["state"]
        state.fixtures = dict(snapshot.fixtures)
        state.journal.listeners = self.journal_listeners  # the pickled copy holds a copy of the list
        with self.lock:
            self.state, self.history = state, parts["history"]

    # Persistence ---------------------------------------------------------------------
    def export_state(self) -> dict[str, Any]:
        with self.lock:
            return self.state.export(self.providers)

    def import_state(self, state: Any) -> None:
        """Replace the whole state with an exported document, or raise StateError and change nothing."""
        check_state(state, self.providers, lambda name: self.providers[name].timers)
        # Build the whole new state before swapping it in: a document that fails half-way leaves
        # no trace. The document carries no fixtures: the twin's current ones (with any rate
        # limits the control plane set) carry over; the journal and retry marks start empty.
        with self.lock:
            fixtures = dict(self.fixtures)
        try:
            clock = self.clock.restored(dict(state["clock"]))
            ids = Ids(self.seed)
            ids.restore(dict(state["ids"]))
            store = Store.restore(dict(state["store"]))
            scheduler = Scheduler()
            scheduler.restore(list(state["scheduler"]))
            new_state = self._new_state(clock, ids, store, scheduler, fixtures)
            new_state.faults.restore(dict(state["faults"]))
        except StateError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as exc:
            raise StateError(f"the state document cannot be loaded: {exc}") from None
        with self.lock:
            self.state = new_state
            self._start_history()


def _overrides_key(overrides: Mapping[str, Any]) -> str:
    return json.dumps(overrides, sort_keys=True, default=str)
