"""In-memory state: accounts, and per provider and kind a table of resources.

A resource is a `Row`: the public body a provider returns (`data`), plus private
bookkeeping (`meta`). Each account's rows are kept in creation order in a sorted
index, so a page, a deep page and a marker page cost what the page costs, not what
the table holds.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Protocol, TypeVar, Union, overload

from sortedcontainers import SortedDict, SortedKeyList

from .errors import ApiError
from .packing import lookup, pack, unpack

# Who may see a kind's rows (declared with the kind, see `shapes`): the owning account, the
# whole provider, or one region (every account's rows in it). A row's `account` is the
# partition it lives in: an account id, a region name, or "" for provider-wide rows.
ACCOUNT = "account"
PROVIDER = "provider"
REGION = "region"
SCOPES = (ACCOUNT, PROVIDER, REGION)
PROVIDER_WIDE = ""


class Row:
    """One resource. `data` and `meta` are plain dicts to whoever reads them; at rest, a row
    not used lately holds them packed (see `packing`): a dict per row and per nested object
    is most of what a large state costs. A packed row has its `data`/`meta` slots empty, so
    the first read lands in `__getattr__`, which unpacks; a row in use costs nothing extra."""

    __slots__ = ("id", "kind", "account", "seq", "data", "meta", "_packed", "_working_set")

    data: dict[str, Any]
    meta: dict[str, Any]

    def __init__(self, id: str, kind: str, account: str, seq: int, data: dict[str, Any],
                 meta: dict[str, Any] | None = None) -> None:
        self.id = id
        self.kind = kind
        self.account = account
        self.seq = seq
        self.data = data
        self.meta = {} if meta is None else meta
        self._packed: tuple[Any, Any] | None = None
        self._working_set: WorkingSet | None = None

    def __repr__(self) -> str:
        return f"Row({self.id!r}, {self.kind!r}, {self.account!r}, {self.seq})"

    def __getattr__(self, name: str) -> Any:
        # Reached only when a slot is empty: `data`/`meta` of a packed row.
        packed = self._packed
        if packed is None or name not in ("data", "meta"):
            raise AttributeError(name)
        with _transition:  # two threads unpacking at once must not hand out two different dicts
            if self._packed is not None:
                self.data, self.meta = unpack(packed[0]), unpack(packed[1])
                self._packed = None
                if self._working_set is not None:
                    self._working_set.entered(self)
        return getattr(self, name)

    def pack(self) -> None:
        """Give up the dicts for their packed form; the next read unpacks fresh ones."""
        with _transition:
            if self._packed is None:
                self._packed = (pack(self.data), pack(self.meta))
                del self.data, self.meta

    def field(self, key: str, default: Any = None) -> Any:
        """`data[key]` without unpacking the row: for scans and filters over many rows, which
        would otherwise unpack (and later repack) every row they look at. Read-only: a
        container it returns is a copy when the row is packed."""
        packed = self._packed
        return self.data.get(key, default) if packed is None else lookup(packed[0], key, default)

    def meta_field(self, key: str, default: Any = None) -> Any:
        """`meta.get(key)`, read the same way as `field`."""
        packed = self._packed
        return self.meta.get(key, default) if packed is None else lookup(packed[1], key, default)

    @property
    def packed(self) -> bool:
        return self._packed is not None

    def export(self) -> list[Any]:
        # Read without unpacking into the row: exporting a large state must not unpack it all.
        data, meta = (unpack(self._packed[0]), unpack(self._packed[1])) if self._packed else (self.data, self.meta)
        return [self.id, self.account, self.seq, data, meta]


_transition = threading.Lock()

R = TypeVar("R", bound="Row")
KindRef = Union[str, type]
# (provider, kind) -> (row class, scope); filled as provider packages declare their kinds.
_KINDS: dict[tuple[str, str], tuple[type[Row], str]] = {}


def register_kind(provider: str, kind: str, cls: type[Row], scope: str) -> None:
    _KINDS[(provider, kind)] = (cls, scope)


def row_class(provider: str, kind: str) -> type[Row]:
    """The declared class of a kind, or the plain `Row` for an undeclared one."""
    found = _KINDS.get((provider, kind))
    return found[0] if found else Row


def scope_of(provider: str, kind: str) -> str:
    found = _KINDS.get((provider, kind))
    return found[1] if found else ACCOUNT


def registered_kinds(provider: str) -> list[type[Row]]:
    return [cls for (name, _), (cls, _) in _KINDS.items() if name == provider]


class WorkingSet:
    """The rows kept unpacked, oldest first; `settle` packs all but the newest `capacity`.

    Settling runs only where no handler holds a row's dict (after each call, under the
    twin's lock), so a dict a handler is editing is never packed under it."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._rows: deque[Row] = deque()

    def __len__(self) -> int:
        return len(self._rows)

    def entered(self, row: Row) -> None:
        row._working_set = self
        self._rows.append(row)

    def settle(self) -> int:
        """Pack the rows beyond capacity, oldest first; returns how many were packed."""
        rows = self._rows
        packed = 0
        while len(rows) > self.capacity:
            row = rows.popleft()
            if row._packed is None:
                row.pack()
                packed += 1
        return packed


class Table:
    """All rows of one kind of one provider, across accounts."""

    def __init__(self, provider: str, kind: str, working_set: WorkingSet | None = None,
                 store: "Store | None" = None) -> None:
        self.provider = provider
        self.kind = kind
        self.working_set = working_set
        self._store = store  # whose observer hears of removals
        self._rows: dict[str, Row] = {}
        self._by_account: dict[str, SortedDict] = {}
        self._orders: dict[str, SortedKeyList] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, row: Row) -> Row:
        if row.id in self._rows:
            raise ValueError(f"{self.provider}/{self.kind}: duplicate id {row.id}")
        self._rows[row.id] = row
        if self.working_set is not None and row._working_set is None:
            if row.packed:
                row._working_set = self.working_set
            else:
                self.working_set.entered(row)
        by_account = self._by_account.get(row.account)
        if by_account is None:  # not setdefault: that would build a SortedDict for every row added
            by_account = self._by_account[row.account] = SortedDict()
        by_account[row.seq] = row
        for order in self._orders.values():
            order.add(row)
        return row

    def remove(self, row_id: str) -> Row | None:
        row = self._rows.pop(row_id, None)
        if row is not None:
            observer = self._store.observer if self._store is not None else None
            if observer is not None:
                observer.removed(self.provider, row)
            index = self._by_account.get(row.account)
            if index is not None:
                index.pop(row.seq, None)
            for order in self._orders.values():
                order.discard(row)
        return row

    def get(self, row_id: str) -> Row | None:
        return self._rows.get(row_id)

    def account_index(self, account: str) -> SortedDict | None:
        """One account's rows keyed by creation `seq` (read-only to callers)."""
        return self._by_account.get(account)

    def count(self, account: str) -> int:
        index = self._by_account.get(account)
        return len(index) if index else 0

    def rows(self, account: str | None = None, *, reverse: bool = False) -> Iterator[Row]:
        if account is None:
            return iter(sorted(self._rows.values(), key=lambda r: r.seq, reverse=reverse))
        index = self._by_account.get(account)
        if not index:
            return iter(())
        # keys in order, each looked up in the dict: C-level iteration (a values view walks in Python)
        return map(index.__getitem__, reversed(index) if reverse else index)

    def page(self, account: str, offset: int, limit: int, *, reverse: bool = False) -> list[Row]:
        index = self._by_account.get(account)
        if not index or offset >= len(index) or limit <= 0:
            return []
        values = index.values()
        n = len(index)
        if reverse:
            start, stop = max(0, n - offset - limit), n - offset
            return list(reversed(values[start:stop]))
        return list(values[offset : offset + limit])

    def position(self, account: str, row_id: str, *, reverse: bool = False) -> int | None:
        """Where a row stands in its account's order: for marker pagination."""
        row = self._rows.get(row_id)
        index = self._by_account.get(account)
        if row is None or row.account != account or not index:
            return None
        pos = index.index(row.seq)
        return len(index) - 1 - pos if reverse else pos

    def ordered(self, name: str, key: Callable[[Row], Any]) -> SortedKeyList:
        """Every row across accounts sorted by `key`: a secondary index, built on first use and
        kept up to date by add/remove. The key must be unique per row and read only what never
        changes while the row is in the table (ids, creation stamps, placement)."""
        order = self._orders.get(name)
        if order is None:
            order = self._orders[name] = SortedKeyList(self._rows.values(), key=key)
        return order

    def export(self) -> list[list[Any]]:
        return [row.export() for row in sorted(self._rows.values(), key=lambda r: r.seq)]


@dataclass
class Account:
    id: str
    name: str
    credentials: dict[str, dict[str, Any]] = field(default_factory=dict)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "credentials": self.credentials, "settings": self.settings}


class StoreObserver(Protocol):
    """Hears of rows created through `Store.insert` and rows removed (the twin's history)."""

    def created(self, provider: str, row: Row) -> None: ...

    def removed(self, provider: str, row: Row) -> None: ...


class Store:
    """The twin's whole state, except the clock, the scheduler and the fault rules."""

    def __init__(self, working_set: WorkingSet | None = None) -> None:
        self.working_set = working_set if working_set is not None else WorkingSet(_default_working_set())
        self.accounts: dict[str, Account] = {}
        self._credentials: dict[tuple[str, str, str], str] = {}
        self._tables: dict[tuple[str, str], Table] = {}
        self._seq = 0
        self.observer: StoreObserver | None = None
        # Set to a list by the pipeline around one handler call: the rows that call created,
        # so the journal can say what a request left behind (even when its answer was lost).
        self.created: list[Row] | None = None

    # Accounts ------------------------------------------------------------------------
    def add_account(self, account: Account) -> Account:
        if account.id in self.accounts:
            raise ValueError(f"account {account.id} exists")
        self.accounts[account.id] = account
        for provider, fields in account.credentials.items():
            for name, value in fields.items():
                if name in _SECRET_FIELDS:
                    self._credentials[(provider, name, str(value))] = account.id
        return account

    def account_by_credential(self, provider: str, field_name: str, value: str) -> Account | None:
        account_id = self._credentials.get((provider, field_name, value))
        return self.accounts.get(account_id) if account_id else None

    def index_credential(self, provider: str, field_name: str, value: str, account_id: str) -> None:
        self._credentials[(provider, field_name, value)] = account_id

    def forget_credential(self, provider: str, field_name: str, value: str) -> None:
        self._credentials.pop((provider, field_name, value), None)

    # Tables --------------------------------------------------------------------------
    def table(self, provider: str, kind: str) -> Table:
        key = (provider, kind)
        table = self._tables.get(key)
        if table is None:
            table = self._tables[key] = Table(provider, kind, self.working_set, self)
        return table

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def insert(self, provider: str, kind: str, account: str, row_id: str, data: dict[str, Any],
               meta: dict[str, Any] | None = None) -> Row:
        row = row_class(provider, kind)(row_id, kind, account, self.next_seq(), data, meta or {})
        self.table(provider, kind).add(row)
        if self.observer is not None:
            self.observer.created(provider, row)
        if self.created is not None:
            self.created.append(row)
        return row

    def tables(self) -> list[Table]:
        """Every table, ordered by provider and kind."""
        return [self._tables[key] for key in sorted(self._tables)]

    # Persistence ---------------------------------------------------------------------
    def export(self) -> dict[str, Any]:
        tables: dict[str, dict[str, Any]] = {}
        for (provider, kind), table in sorted(self._tables.items()):
            if len(table):
                tables.setdefault(provider, {})[kind] = table.export()
        return {
            "seq": self._seq,
            "accounts": [a.describe() for a in self.accounts.values()],
            # Sorted: the document must not depend on the key order of the JSON it was imported from.
            "extra_credentials": sorted([*key, value] for key, value in self._credentials.items()),
            "tables": tables,
        }

    def settle(self) -> int:
        """Pack the rows not used lately. Call where no handler holds a row's dict."""
        return self.working_set.settle()

    @classmethod
    def restore(cls, state: dict[str, Any], working_set: WorkingSet | None = None) -> "Store":
        store = cls(working_set)
        for raw in state["accounts"]:
            store.add_account(Account(raw["id"], raw["name"], raw.get("credentials", {}), raw.get("settings", {})))
        for provider, name, value, account_id in state.get("extra_credentials", []):
            store.index_credential(provider, name, value, account_id)
        for provider, kinds in state["tables"].items():
            for kind, rows in kinds.items():
                table = store.table(provider, kind)
                row_type = row_class(provider, kind)
                for row_id, account, seq, data, meta in rows:
                    table.add(row_type(row_id, kind, account, seq, data, meta))
                    if len(store.working_set) > 2 * store.working_set.capacity:
                        store.settle()  # as it goes: unpacked, a large state would peak at twice its size
        store._seq = int(state["seq"])
        return store


def _default_working_set() -> int:
    # CLOUDTWIN_WORKING_SET=0 packs every row after every call: the test suite runs that way,
    # so a handler that kept a row's dict across calls cannot hide.
    return int(os.environ.get("CLOUDTWIN_WORKING_SET", "4096"))


# Credential fields that identify an account; other fields (names, currencies) are data.
_SECRET_FIELDS = frozenset({"token", "api_key", "username", "access_token"})


class Collections:
    """One provider's rows in one partition: an account's own (`ctx.records`), the provider-wide
    collection (`ctx.shared`) or one region's (`ctx.region(name)`). It reaches only the kinds
    declared for its scope and only the rows of its partition; no method takes another
    partition, so a handler has no way to name another account's rows.

    A region-wide row is owned by the account that added it (`row.account`, "" for the
    provider's own) and holds its region in `meta["region"]`; the region's rows are read
    through an index on (region, creation order), so a region costs what it holds."""

    __slots__ = ("_store", "provider", "_partition", "_scope", "_owner")

    def __init__(self, store: Store, provider: str, partition: str | None, scope: str,
                 owner: str | None = None) -> None:
        self._store = store
        self.provider = provider
        self._partition = partition
        self._scope = scope
        self._owner = owner  # region-wide rows: who a new row belongs to

    def _table(self, kind: KindRef) -> Table:
        name = kind if isinstance(kind, str) else kind.kind_name  # type: ignore[attr-defined]
        declared = scope_of(self.provider, name)
        if declared != self._scope:
            raise TypeError(f"{self.provider}/{name} is declared {declared}-wide; this collection is {self._scope}-wide")
        return self._store.table(self.provider, name)

    def _where(self) -> str:
        if self._partition is None:
            raise RuntimeError("this call has no account")
        return self._partition

    def _mine(self, row: Row | None) -> bool:
        # Provider-wide rows are the provider's whatever their recorded owner (a state saved
        # before scopes were declared names a stand-in account there).
        if row is None:
            return False
        if self._scope == REGION:
            return bool(row.meta_field("region") == self._partition)
        return self._scope == PROVIDER or row.account == self._partition

    def _region_index(self, table: Table) -> tuple[SortedKeyList, int, int]:
        """The table's (region, seq) index and where this region's rows sit in it."""
        order = table.ordered("region", _region_order)
        region = self._where()
        return order, order.bisect_key_left((region, 0)), order.bisect_key_right((region, float("inf")))

    @overload
    def add(self, kind: type[R], row_id: str, data: dict[str, Any], meta: dict[str, Any] | None = None) -> R: ...
    @overload
    def add(self, kind: str, row_id: str, data: dict[str, Any], meta: dict[str, Any] | None = None) -> Row: ...

    def add(self, kind: KindRef, row_id: str, data: dict[str, Any], meta: dict[str, Any] | None = None) -> Row:
        table = self._table(kind)
        check = getattr(row_class(self.provider, table.kind), "check", None)
        if check is not None:
            check(data)
        if self._scope == REGION:
            meta = {**(meta or {}), "region": self._where()}
            return self._store.insert(self.provider, table.kind, self._owner or PROVIDER_WIDE, row_id, data, meta)
        return self._store.insert(self.provider, table.kind, self._where(), row_id, data, meta)

    @overload
    def find(self, kind: type[R], row_id: str) -> R | None: ...
    @overload
    def find(self, kind: str, row_id: str) -> Row | None: ...

    def find(self, kind: KindRef, row_id: str) -> Row | None:
        row = self._table(kind).get(row_id)
        return row if self._mine(row) else None

    @overload
    def get(self, kind: type[R], row_id: str, *, error: str = ..., message: str | None = ...) -> R: ...
    @overload
    def get(self, kind: str, row_id: str, *, error: str = ..., message: str | None = ...) -> Row: ...

    def get(self, kind: KindRef, row_id: str, *, error: str = "not_found", message: str | None = None) -> Row:
        row = self.find(kind, row_id)
        if row is None:
            raise ApiError(error, message)
        return row

    def remove(self, kind: KindRef, row_id: str) -> Row | None:
        table = self._table(kind)
        return table.remove(row_id) if self._mine(table.get(row_id)) else None

    @overload
    def rows(self, kind: type[R], *, reverse: bool = False) -> Iterator[R]: ...
    @overload
    def rows(self, kind: str, *, reverse: bool = False) -> Iterator[Row]: ...

    def rows(self, kind: KindRef, *, reverse: bool = False) -> Iterator[Row]:
        table = self._table(kind)
        if self._scope == REGION:
            order, low, high = self._region_index(table)
            return iter(order[low:high][::-1] if reverse else order[low:high])
        return table.rows(None, reverse=reverse) if self._scope == PROVIDER else table.rows(self._where(), reverse=reverse)

    def count(self, kind: KindRef) -> int:
        table = self._table(kind)
        if self._scope == REGION:
            _, low, high = self._region_index(table)
            return high - low
        return len(table) if self._scope == PROVIDER else table.count(self._where())

    @overload
    def page(self, kind: type[R], offset: int, limit: int, *, reverse: bool = False) -> list[R]: ...
    @overload
    def page(self, kind: str, offset: int, limit: int, *, reverse: bool = False) -> list[Row]: ...

    def page(self, kind: KindRef, offset: int, limit: int, *, reverse: bool = False) -> list[Any]:
        table = self._table(kind)
        if self._scope == REGION:
            order, low, high = self._region_index(table)
            if reverse:
                return list(reversed(order[max(low, high - offset - limit):max(low, high - offset)]))
            return list(order[low + offset:min(high, low + offset + max(limit, 0))])
        return table.page(self._where(), offset, limit, reverse=reverse)

    def position(self, kind: KindRef, row_id: str, *, reverse: bool = False) -> int | None:
        """Where a row stands in this partition's creation order: for marker pagination."""
        return self._table(kind).position(self._where(), row_id, reverse=reverse)

    def ordered(self, kind: KindRef, name: str, key: Callable[[Any], Any]) -> SortedKeyList:
        """This partition's rows sorted by `key` (unique per row, fixed while the row lives).
        Kept up to date by add/remove. Only provider-wide and region-wide kinds have one: the
        index spans the table, and an account's own rows are already in creation order."""
        if self._scope == ACCOUNT:
            raise TypeError("an account's rows have no cross-partition index")
        return self._table(kind).ordered(name, key)

    def id_free(self, kind: KindRef, row_id: str) -> bool:
        """No row of this kind holds `row_id` in any partition: for ids unique across the
        provider (they are drawn at random). Says yes or no, and shows no row."""
        return self._table(kind).get(row_id) is None


def _region_order(row: Row) -> tuple[Any, int]:
    return (row.meta_field("region"), row.seq)



class Directory:
    """Accounts as one provider sees them: who holds a credential, for authenticators."""

    __slots__ = ("_store", "provider", "_seeded")

    def __init__(self, store: Store, provider: str, seeded: list[Mapping[str, Any]] | None = None) -> None:
        self._store = store
        self.provider = provider
        self._seeded = seeded or []

    def seeded_credentials(self, account_id: str) -> Mapping[str, Any]:
        """This provider's credentials of an account in the fixtures, added yet or not (seed
        data may name an account the reset adds later)."""
        raw = next((a for a in self._seeded if a.get("id") == account_id), None)
        return ((raw or {}).get("credentials") or {}).get(self.provider) or {}

    def by_credential(self, field_name: str, value: str) -> Account | None:
        return self._store.account_by_credential(self.provider, field_name, value)

    def by_id(self, account_id: str) -> Account | None:
        return self._store.accounts.get(account_id)

    def first(self, test: Callable[[Mapping[str, Any]], bool]) -> Account | None:
        """The first account whose credentials for this provider pass `test` (a login form)."""
        return next((a for a in self._store.accounts.values() if test(a.credentials.get(self.provider, {}))), None)

    def index(self, field_name: str, value: str, account_id: str) -> None:
        """A credential made at run time (an API key) now names its account."""
        self._store.index_credential(self.provider, field_name, value, account_id)

    def forget(self, field_name: str, value: str) -> None:
        self._store.forget_credential(self.provider, field_name, value)
