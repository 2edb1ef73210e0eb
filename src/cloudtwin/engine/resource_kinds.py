"""Which stored kinds are a provider's resources, and how each is summed up and shown.

A provider declares them in its spec, under `x-cloudtwin.resources` of the API that serves
them (the engine names no provider):

    resources:
      instance:
        get: getInstance       # the operation whose answer is the resource as the provider shows it
        name: name             # summary fields: a key of the row's data, or `meta.<key>`
        region: region
        created: created_at
        state: status          # optional: defaults to the field the kind's lifecycle moves
        id: id                 # optional: the id the provider shows, when the store keys rows otherwise
        key: "{region}/{id}"   # optional: how that id and the region make the store's key

The body of a resource's page is the answer of the provider's own `get` handler, called as
the resource's account would call it: the same code renders it, so it cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from .errors import ApiError
from .provider import Call, Context, Reply, RequestInfo
from .store import Row

if TYPE_CHECKING:
    from .twin import Twin


@dataclass(frozen=True)
class Field:
    """Where a summary value lives in a row: `data[key]`, or `meta[key]` for `meta.<key>`."""

    key: str
    in_meta: bool = False

    @classmethod
    def parse(cls, text: Any) -> "Field | None":
        if not text:
            return None
        text = str(text)
        return cls(text[5:], True) if text.startswith("meta.") else cls(text)

    def read(self, row: Row) -> Any:
        # Read without unpacking: a listing touches many rows that nobody is changing.
        return row.meta_field(self.key) if self.in_meta else row.field(self.key)


@dataclass(frozen=True)
class ResourceKind:
    provider: str
    kind: str
    api: str
    get: str | None
    name: Field | None
    region: Field | None
    created: Field | None
    state: Field | None
    public_id: Field | None = None
    key: str | None = None

    def id_of(self, row: Row) -> str:
        """The id the provider shows for this row."""
        value = self.public_id.read(row) if self.public_id is not None else None
        return row.id if value is None else str(value)

    def store_key(self, public_id: str, region: str | None) -> str | None:
        """The store's key of the row the provider shows as `public_id` (None: a region is needed)."""
        if self.key is None:
            return public_id
        if "{region}" in self.key and not region:
            return None
        return self.key.replace("{region}", region or "").replace("{id}", public_id)


class ResourceKinds:
    """Every declared resource kind of the twin's providers, keyed by (provider, kind)."""

    def __init__(self, kinds: Mapping[tuple[str, str], ResourceKind]) -> None:
        self._kinds = dict(kinds)

    @classmethod
    def declared(cls, twin: "Twin", fixtures: Mapping[str, Any] | None = None) -> "ResourceKinds":
        """From the specs, and the lifecycles of `fixtures` (default: the twin's)."""
        fixtures = twin.base_fixtures if fixtures is None else fixtures
        kinds: dict[tuple[str, str], ResourceKind] = {}
        for provider, api in twin.apis():
            spec = twin.specs[api.name]
            for kind, raw in (spec.extension.get("resources") or {}).items():
                raw = raw or {}
                lifecycle = ((fixtures.get(provider.name) or {}).get("lifecycles") or {}).get(kind)
                state = raw.get("state") or ((lifecycle or {}).get("_field", "status") if lifecycle else None)
                get = raw.get("get")
                if get is not None and get not in spec.operations:
                    raise ValueError(f"{api.spec_file}: x-cloudtwin.resources.{kind}.get names no operation {get}")
                kinds[(provider.name, str(kind))] = ResourceKind(
                    provider.name, str(kind), api.name, get, Field.parse(raw.get("name")),
                    Field.parse(raw.get("region")), Field.parse(raw.get("created")), Field.parse(state),
                    Field.parse(raw.get("id")), raw.get("key"))
        return cls(kinds)

    def __contains__(self, key: object) -> bool:
        return key in self._kinds

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(sorted(self._kinds))

    def get(self, provider: str, kind: str) -> ResourceKind | None:
        return self._kinds.get((provider, kind))

    def id_of(self, provider: str, row: Row) -> str:
        declared = self._kinds.get((provider, row.kind))
        return row.id if declared is None else declared.id_of(row)

    def state_of(self, provider: str, row: Row) -> str | None:
        declared = self._kinds.get((provider, row.kind))
        if declared is None or declared.state is None:
            return None
        value = declared.state.read(row)
        return None if value is None else str(value)


def summary(kind: ResourceKind, row: Row) -> dict[str, Any]:
    """One line of the resource listing."""

    def read(field: Field | None) -> Any:
        value = field.read(row) if field is not None else None
        return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)

    return {"provider": kind.provider, "account": row.account, "kind": kind.kind, "id": kind.id_of(row),
            "name": read(kind.name), "state": read(kind.state), "region": read(kind.region),
            "created_at": read(kind.created)}


def render(twin: "Twin", kind: ResourceKind, row: Row, host_url: str) -> tuple[Any, str | None]:
    """The resource as its provider's own GET answers it, and why not when it cannot (or None).
    The caller holds the twin's lock."""
    provider = twin.providers[kind.provider]
    # A provider-wide row (public images) belongs to no account: shown as the first account sees it.
    account = twin.store.accounts.get(row.account) or next(iter(twin.store.accounts.values()), None)
    view = provider.resource_views.get(kind.kind)
    if view is not None:
        return view(Context(twin, provider.name, account, twin.clock.now()), row), None
    if kind.get is None:
        return None, "The provider declares no operation that shows this kind."
    api = next(a for a in provider.apis if a.name == kind.api)
    spec = twin.specs[api.name]
    operation = spec.operations[kind.get]
    mount_values = _mount_values(spec.mount, kind, row)
    params = [p.name for p in operation.params if p.location == "path" and p.name not in mount_values]
    if len(params) != 1:
        return None, f"{kind.get} takes {len(params)} path parameters; the dashboard can fill one."
    base = host_url.rstrip("/") + "/" + provider.name + _fill(spec.mount, mount_values)
    info = RequestInfo(method="GET", path=base, headers={}, base_url=base, mount_params=mount_values)
    call = Call(twin, provider.name, account, twin.clock.now(), operation_id=kind.get,
                path={params[0]: kind.id_of(row)},
                query={}, headers={}, body=None, media_type=None, request=info)
    handler = api.handlers.get(kind.get)
    assert handler is not None  # the twin checked every operation has a handler at start-up
    try:
        result = handler(call)
    except ApiError as error:
        return None, f"{kind.get} refused: {error.message or error.key}"
    body = result.body if isinstance(result, Reply) else result
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    return body, None


def _mount_values(mount: str, kind: ResourceKind, row: Row) -> dict[str, str]:
    """A mount such as `/images/{region}` is filled from the row's region."""
    if "{" not in mount or kind.region is None:
        return {}
    region = kind.region.read(row)
    names = [part[1:-1] for part in mount.split("/") if part.startswith("{") and part.endswith("}")]
    return {name: str(region) for name in names} if region is not None else {}


def _fill(mount: str, values: Mapping[str, str]) -> str:
    for key, value in values.items():
        mount = mount.replace("{" + key + "}", value)
    return mount

