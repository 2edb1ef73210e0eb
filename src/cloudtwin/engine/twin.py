"""The twin: one clock, one store, one scheduler, one fault engine, many providers."""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Mapping

from . import resources
from .clock import Clock, iso
from .errors import ErrorTable
from .faults import FaultEngine, FaultTargets, lifecycle_states
from .faults.targets import ApiTarget
from .fixture_schemas import FixtureSchemaError, check_fixtures
from .fixtures import load_folder, merge
from .history import History
from .ids import Ids
from .journal import Journal
from .lifecycle import Event, Lifecycles, Machine, Scheduler, Transition
from .provider import Api, Context, Provider
from .ratelimit import RateLimiter
from .resource_kinds import ResourceKinds
from .store import Row
from .snapshot import Snapshot
from .spec import Spec, SpecError
from .store import Account, Store

from .state_document import STATE_FORMAT, STATE_VERSION, StateError, StateVersionError, check_state

__all__ = ["FixtureSchemaError", "StateError", "StateVersionError", "Twin"]


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
        self._applying_at: float | None = None  # the due time of the event being applied
        self.clock = clock or Clock()
        self.journal = Journal()
        self.specs: dict[str, Spec] = {}
        self.error_tables: dict[str, ErrorTable] = {}
        self._load_specs(spec_dir or resources.spec_dir())
        base = load_folder(resources.fixtures_dir(), self.providers)
        if fixtures is not None:
            base = merge(base, load_folder(fixtures, self.providers))
        self.base_fixtures = merge(base, overrides or {})
        # A fixture row that could not be served as its resource stops the start, naming file and line.
        roots = [fixtures, resources.fixtures_dir()] if fixtures is not None else [resources.fixtures_dir()]
        check_fixtures(self.specs.values(), self.base_fixtures, roots)
        self.reset()

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
                self.error_tables[api.name] = ErrorTable(spec.error_entries)

    def apis(self) -> Iterable[tuple[Provider, Api]]:
        for provider in self.providers.values():
            for api in provider.apis:
                yield provider, api

    # State ---------------------------------------------------------------------------
    def reset(self, *, reset_clock: bool = False) -> None:
        """Back to the fixtures: a fresh store, queue, rule list and id streams."""
        with self.lock:
            if reset_clock:
                self.clock = Clock()
            self.fixtures: dict[str, Any] = {name: self.base_fixtures.get(name, {}) for name in self.providers}
            self.ids = Ids(self.seed)
            self.store = Store()
            self._start_history()
            self.scheduler = Scheduler()
            self._build_lifecycles()
            self.faults = FaultEngine(self.ids, self.fault_targets())
            self._load_fixture_faults()
            self.journal.clear()
            # (provider, account) -> virtual instant before which a retry comes too early
            self.retry_marks: dict[tuple[str, str | None], float] = {}
            self._build_rate_limiters()
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
            self.clock = Clock()
            self.journal = Journal()
            vars(self).pop("history", None)  # numbering starts again, as in a new twin
            self.reset()

    def fault_targets(self) -> FaultTargets:
        """What a fault rule may name here: served operations and the fixtures' lifecycle states."""
        apis = []
        for provider, api in self.apis():
            methods: dict[str, frozenset[str]] = {}
            for op_id, operation in self.specs[api.name].operations.items():
                methods[op_id] = frozenset({operation.method} | ({"HEAD"} if operation.method == "GET" else set()))
            apis.append(ApiTarget(provider.name, api.name, methods))
        lifecycles = {name: lifecycle_states(self.fixtures[name].get("lifecycles") or {}) for name in self.providers}
        return FaultTargets(apis, lifecycles)

    def _load_fixture_faults(self) -> None:
        """Rules a provider's `faults.yaml` declares: part of the fixtures, so part of every reset."""
        for name in self.providers:
            for raw in self.fixtures[name].get("faults") or []:
                self.faults.add({**raw, "match": {"provider": name, **(raw.get("match") or {})}})

    def _build_rate_limiters(self) -> None:
        self.rate_limiters = {name: RateLimiter(self.fixtures[name].get("rate_limits")) for name in self.providers}

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

    def _build_lifecycles(self) -> None:
        self.lifecycles: dict[str, Lifecycles] = {}
        for name, provider in self.providers.items():
            raw = self.fixtures[name].get("lifecycles") or {}
            machines = {kind: Machine.from_fixture(kind, states or {}) for kind, states in raw.items()}
            lifecycles = Lifecycles(name, machines, self.scheduler)
            lifecycles.override = self._lifecycle_override
            lifecycles.on_change = self._change_hook(name)
            if provider.on_enter is not None:
                lifecycles.on_enter = self._enter_hook(provider)
            if provider.on_remove is not None:
                lifecycles.on_remove = self._remove_hook(provider)
            self.lifecycles[name] = lifecycles

    def _change_hook(self, provider: str):  # type: ignore[no-untyped-def]
        def hook(row, before, after, at):  # type: ignore[no-untyped-def]
            self.history.changed(provider, row, before, after, at)
        return hook

    def _enter_hook(self, provider: Provider):  # type: ignore[no-untyped-def]
        def hook(row, state, at):  # type: ignore[no-untyped-def]
            provider.on_enter(self._row_context(provider.name, row.account, at), row, state)  # type: ignore[misc]
        return hook

    def _remove_hook(self, provider: Provider):  # type: ignore[no-untyped-def]
        def hook(row, at):  # type: ignore[no-untyped-def]
            provider.on_remove(self._row_context(provider.name, row.account, at), row)  # type: ignore[misc]
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
    _NOT_STATE = frozenset({"providers", "seed", "lock", "specs", "error_tables", "base_fixtures",
                            "resource_kinds", "fixtures"})

    def snapshot(self) -> Snapshot:
        """This twin's whole state, frozen: `restore` makes it current again, as often as wanted
        (a test fixture or a scenario run gets the prebuilt default twin without rebuilding it)."""
        with self.lock:
            parts = {name: value for name, value in vars(self).items() if name not in self._NOT_STATE}
            shared = [self, self.resource_kinds, *self.providers.values(),
                      *self.specs.values(), *self.error_tables.values()]
            # Fixtures are read-only below the top level (an admin change replaces a provider's dict).
            return Snapshot(parts, shared, fixtures=dict(self.fixtures))

    def restore(self, snapshot: Snapshot) -> None:
        """Replace the whole state with a new copy of `snapshot`'s (taken from this twin)."""
        parts = snapshot.thaw()
        with self.lock:
            vars(self).update(parts)
            self.fixtures = dict(snapshot.fixtures)

    # Persistence ---------------------------------------------------------------------
    def export_state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "format": STATE_FORMAT,
                "version": STATE_VERSION,
                "providers": sorted(self.providers),
                "clock": self.clock.export(),
                "ids": self.ids.export(),
                "store": self.store.export(),
                "scheduler": self.scheduler.export(),
                "faults": self.faults.export(),
            }

    def import_state(self, state: Any) -> None:
        """Replace the whole state with an exported document, or raise StateError and change nothing."""
        check_state(state, self.providers, lambda name: self.providers[name].timers)
        # Build every part before swapping any: a document that fails half-way leaves no trace.
        try:
            clock = dict(state["clock"])
            ids = Ids(self.seed)
            ids.restore(dict(state["ids"]))
            store = Store.restore(dict(state["store"]))
            scheduler = Scheduler()
            scheduler.restore(list(state["scheduler"]))
            faults = FaultEngine(ids, self.fault_targets())
            faults.restore(dict(state["faults"]))
        except StateError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as exc:
            raise StateError(f"the state document cannot be loaded: {exc}") from None
        with self.lock:
            self.clock.restore(clock)
            self.ids, self.store, self.scheduler, self.faults = ids, store, scheduler, faults
            self._start_history()
            self._build_lifecycles()
            self._build_rate_limiters()
