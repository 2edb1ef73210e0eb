"""Declared resource shapes: one class per kind of row, its fields, its scope, its behaviour.

A provider declares each kind it stores as a subclass of `Resource`:

    class Volume(Resource, provider="genesis", kind="volume", schema="Volume"):
        name = Field[str]()
        size = Field[int]()
        attached_to = MetaField[str | None](None)      # private bookkeeping, not in the body

        def on_remove(self, ctx): ...                   # per-kind lifecycle behaviour

Why a class of typed descriptors over the row, and not a dataclass or a TypedDict: a row's
body must stay the plain dict the store packs (`packing`) and the handler returns as JSON;
a dataclass would need a conversion both ways and its own packed form, and a TypedDict types
`row.data["size"]` but leaves scans unpacking every row they touch. A descriptor reads a
scalar straight from the packed tuple when the row is packed (no unpacking, no `row.field`),
reads the live dict when it is not, and unpacks the row first for a nested value or any
write, so an edit is never lost. `volume.size` is checked by mypy; renaming the field is one
edit here that the type checker follows to every use, and the spec check
(`check_against_spec`) keeps the declared fields and the spec's response schema equal.

The scope says who may see a kind's rows: `ACCOUNT` (the default: only the account that owns
them, through `ctx.records`), `PROVIDER` (one collection for the whole provider, through
`ctx.shared`: stock counters, address pools, signing secrets) or `REGION` (one collection per
region, every account's rows in it, through `ctx.region(name)`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, Iterable, Mapping, TypeVar, overload

from .packing import lookup
from .store import ACCOUNT, PROVIDER, REGION, SCOPES, Row, register_kind, registered_kinds, scope_of

if TYPE_CHECKING:
    from .provider import Context

T = TypeVar("T")

__all__ = ["ACCOUNT", "PROVIDER", "REGION", "Field", "MetaField", "Resource", "scope_of"]

_MISSING: Any = object()


class Field(Generic[T]):
    """One key of a row's public body (`data`), typed."""

    __slots__ = ("name", "default")
    _in_meta = False

    def __init__(self, default: Any = _MISSING, *, key: str = "") -> None:
        self.default = default
        self.name = key  # the body's key; by default the attribute's name

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = self.name or name

    @overload
    def __get__(self, row: None, owner: type) -> "Field[T]": ...
    @overload
    def __get__(self, row: Row, owner: type) -> T: ...

    def __get__(self, row: Row | None, owner: type) -> Any:
        if row is None:
            return self
        packed = row._packed
        if packed is None:  # a row in use: a dict read
            try:
                return row.data[self.name]
            except KeyError:
                return self._absent()
        part = packed[0]
        position = part[0].position.get(self.name)
        if position is None:
            return self._absent()
        value = part[position]
        if type(value) is not tuple:  # a scalar: read in place, the row stays packed
            return value
        # A nested value: unpack the row so that an edit to it is kept.
        return row.data[self.name]

    def _absent(self) -> Any:
        if self.default is _MISSING:
            raise KeyError(self.name)
        return self.default

    def peek(self, row: Row) -> T:
        """A read-only copy of a nested value that leaves a packed row packed: for a scan
        over many rows that only looks (an edit to the copy is lost)."""
        packed = row._packed
        if packed is None:
            value = (row.meta if self._in_meta else row.data).get(self.name, _MISSING)
        else:
            value = lookup(packed[1] if self._in_meta else packed[0], self.name, _MISSING)
        return self._absent() if value is _MISSING else value

    def __set__(self, row: Row, value: T) -> None:
        (row.meta if self._in_meta else row.data)[self.name] = value


class MetaField(Field[T]):
    """One key of a row's private bookkeeping (`meta`), typed; absent reads give the default."""

    __slots__ = ()
    _in_meta = True

    def __init__(self, default: Any = None, *, key: str = "") -> None:
        super().__init__(default, key=key)

    def __get__(self, row: Row | None, owner: type) -> Any:
        if row is None:
            return self
        packed = row._packed
        if packed is None:
            return row.meta.get(self.name, self.default)
        part = packed[1]
        position = part[0].position.get(self.name)
        if position is None:
            return self.default
        value = part[position]
        return value if type(value) is not tuple else row.meta[self.name]

class Resource(Row):
    """A row of a declared kind. Subclasses name their provider, kind, scope and spec schema."""

    __slots__ = ()
    provider: str = ""
    kind_name: str = ""
    scope: str = ACCOUNT
    schema: str | None = None  # the spec's component schema the body follows
    # The body's keys: every `Field` plus `body_only` keys that have no attribute (`id`, held
    # by the row itself). A row is checked against them when added: a body key that is not
    # declared (a typo, a rename made in one place) fails the first test that creates one.
    fields: tuple[str, ...] = ()
    body_only: tuple[str, ...] = ()
    _field_set: frozenset[str] = frozenset()
    # An open shape takes keys beyond its fields (Glance's free-form image properties): its
    # declared fields are typed, the rest read as `row.field(key)`.
    open_shape: bool = False

    def __init_subclass__(cls, *, provider: str = "", kind: str = "", scope: str = ACCOUNT,
                          schema: str | None = None, body_only: Iterable[str] = ("id",), open_shape: bool = False,
                          **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not kind:  # an intermediate base (a provider's common behaviour): declares no kind
            return
        if scope not in SCOPES:
            raise ValueError(f"{provider}/{kind}: scope must be one of {', '.join(SCOPES)}")
        cls.provider, cls.kind_name, cls.scope, cls.schema = provider, kind, scope, schema
        cls.body_only = tuple(body_only)
        names = dict.fromkeys(name for base in reversed(cls.__mro__) for name in vars(base))
        declared = [getattr(cls, name).name for name in names if isinstance(getattr(cls, name, None), Field)
                    and not getattr(cls, name)._in_meta]
        cls.fields = tuple(dict.fromkeys((*cls.body_only, *declared)))
        cls._field_set = frozenset(cls.fields)
        cls.open_shape = open_shape
        register_kind(provider, kind, cls, scope)

    # Per-kind behaviour: the engine calls these for rows of this kind.
    def on_enter(self, ctx: "Context", state: str) -> None:
        """The row entered a lifecycle state."""

    def on_remove(self, ctx: "Context") -> None:
        """The row is about to leave the store (its lifecycle removed it)."""

    @classmethod
    def check(cls, data: Mapping[str, Any]) -> None:
        if cls.open_shape:
            return
        if data.keys() != cls._field_set:
            missing = [k for k in cls.fields if k not in data]
            extra = [k for k in data if k not in cls._field_set]
            raise ValueError(f"{cls.provider}/{cls.kind_name}: the body does not follow its shape"
                             f" (missing {missing}, undeclared {extra})")


def declared(provider: str) -> list[type[Resource]]:
    """The kinds a provider declared as classes."""
    return [cls for cls in registered_kinds(provider) if issubclass(cls, Resource)]


def check_against_spec(cls: type[Resource], schemas: Mapping[str, Any]) -> list[str]:
    """Where a declared shape and its spec schema disagree (empty when they agree)."""
    if cls.schema is None:
        return []
    schema = schemas.get(cls.schema)
    if schema is None:
        return [f"{cls.provider}/{cls.kind_name}: the spec has no schema {cls.schema}"]
    properties = list(schema.get("properties", {}))
    problems = []
    if set(properties) != set(cls.fields):
        problems.append(f"{cls.provider}/{cls.kind_name}: fields {sorted(set(cls.fields) - set(properties))} are not in"
                        f" {cls.schema}; {cls.schema} has {sorted(set(properties) - set(cls.fields))} undeclared")
    return problems
