"""How a provider plugs into the engine.

A provider is a package that returns a `Provider`: its prefix, and one `Api` per OpenAPI
document it serves, each with an authenticator, an error renderer and handlers keyed by
operationId. Handlers receive a `Call` (validated input plus the twin's services) and
return data; they never build HTTP responses, read the wall clock or use `random`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from .contract_profile import Profile as ContractProfile
from .errors import ResolvedError
from .store import ACCOUNT, PROVIDER, PROVIDER_WIDE, REGION, Account, Collections, Directory, Row

if TYPE_CHECKING:
    import random  # only to name the type rng() hands out: handlers draw from it, never from `random`

    from .twin import Twin


@dataclass
class Reply:
    """A handler's answer when the spec's success status or default headers are not enough."""

    body: Any = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rendered:
    """An error as the provider writes it: the body and its content type."""

    body: bytes
    content_type: str
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RequestInfo:
    """What an authenticator or renderer may look at."""

    method: str
    path: str
    headers: Mapping[str, str]  # lower-cased names
    base_url: str  # the API's mount as the client reached it, e.g. http://h:p/genesis/compute/v1
    mount_params: Mapping[str, str]
    # Every query parameter as sent, declared or not (e.g. Glance's free-form property filters).
    raw_query: Mapping[str, list[str]] = field(default_factory=dict)
    query_string: str = ""


class Context:
    """The twin's services as one provider sees them, for one account, at one instant."""

    def __init__(self, twin: "Twin", provider: str, account: Account | None, now: float) -> None:
        self.twin = twin
        self.provider = provider
        self.account = account
        self.now = now
        # The store as this provider sees it: this account's rows, and the declared scopes below.
        self.records = Collections(twin.store, provider, account.id if account else None, ACCOUNT)

    @property
    def shared(self) -> Collections:
        """The provider-wide kinds (stock, address pools, secrets): one collection, no account."""
        return Collections(self.twin.store, self.provider, PROVIDER_WIDE, PROVIDER)

    def region(self, name: str) -> Collections:
        """The region-wide kinds of one region: every account's rows there."""
        return Collections(self.twin.store, self.provider, name, REGION, self.account.id if self.account else None)

    @property
    def accounts(self) -> Directory:
        """Who holds a credential of this provider: for authenticators and login forms."""
        return Directory(self.twin.store, self.provider, self.twin.base_fixtures.get("accounts"))

    @property
    def fixtures(self) -> Mapping[str, Any]:
        return self.twin.fixtures[self.provider]

    @property
    def ids(self) -> "ProviderIds":
        return ProviderIds(self.twin, self.provider)

    def enter(self, row: Row, state: str, at: float | None = None) -> None:
        """Move a row to a lifecycle state (scheduling how it ends)."""
        self.twin.lifecycles[self.provider].enter(row, state, self.now if at is None else at)

    def state_lasts(self, kind: str, state: str) -> float:
        """How long a row of `kind` stays in `state` by the lifecycle fixtures (0: until moved)."""
        return float(self.twin.lifecycles[self.provider].machine(kind).states[state].after or 0)

    def schedule(self, at: float, timer: str, payload: dict[str, Any]) -> None:
        """Run one of this provider's timers at a virtual instant."""
        self.twin.scheduler.at(at, f"{self.provider}:{timer}", payload)

    def unschedule(self, timer: str, **match: Any) -> int:
        """Drop this provider's pending `timer` events whose payload holds these values."""
        return self.twin.scheduler.cancel(f"{self.provider}:{timer}", **match)

    def for_account(self, account: Account) -> "Context":
        """The same instant as an account the caller has authenticated (from `accounts`)."""
        return Context(self.twin, self.provider, account, self.now)


class ProviderIds:
    """Seeded ids drawn from this provider's own streams."""

    def __init__(self, twin: "Twin", provider: str) -> None:
        self._ids = twin.ids
        self._prefix = provider

    def uuid4(self) -> str:
        return self._ids.uuid4(f"{self._prefix}.ids")

    def hex(self, length: int) -> str:
        return self._ids.hex(length, f"{self._prefix}.ids")

    def digits(self, length: int) -> str:
        return self._ids.digits(length, f"{self._prefix}.ids")

    def token(self, length: int = 32) -> str:
        return self._ids.token(length, f"{self._prefix}.tokens")

    def ipv4(self, network: str) -> str:
        return self._ids.ipv4(network, f"{self._prefix}.addresses")

    def skip_ipv4(self, network: str, draws: int) -> None:
        self._ids.skip_ipv4(network, draws, f"{self._prefix}.addresses")

    def rng(self, stream: str) -> random.Random:
        return self._ids.rng(f"{self._prefix}.{stream}")


class Call(Context):
    """One validated request, handed to a handler."""

    def __init__(self, twin: "Twin", provider: str, account: Account | None, now: float, *,
                 operation_id: str, path: dict[str, Any], query: dict[str, Any], headers: dict[str, Any],
                 body: Any, media_type: str | None, request: RequestInfo) -> None:
        super().__init__(twin, provider, account, now)
        self.operation_id = operation_id
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.media_type = media_type
        self.request = request


Handler = Callable[[Call], Any]
Authenticator = Callable[[RequestInfo, Context], Account]
ErrorRenderer = Callable[[ResolvedError, RequestInfo], Rendered]
Timer = Callable[[Context, Mapping[str, Any]], None]


class Handlers:
    """operationId -> handler, filled by `@handlers("operationId")` in a provider's modules."""

    def __init__(self) -> None:
        self._by_operation: dict[str, Handler] = {}

    def __call__(self, operation_id: str) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            if operation_id in self._by_operation:
                raise ValueError(f"two handlers for {operation_id}")
            self._by_operation[operation_id] = fn
            return fn
        return register

    def get(self, operation_id: str) -> Handler | None:
        return self._by_operation.get(operation_id)

    def __contains__(self, operation_id: str) -> bool:
        return operation_id in self._by_operation

    def operation_ids(self) -> set[str]:
        return set(self._by_operation)


@dataclass
class Api:
    name: str
    spec_file: str
    handlers: Handlers
    authenticate: Authenticator
    render_error: ErrorRenderer
    # Served at `<mount><spec_route>` when set, e.g. "/openapi.yaml".
    spec_route: str | None = None
    # Headers added to every answer of this API (e.g. a request id).
    response_headers: Callable[[Context], Mapping[str, str]] | None = None
    json_content_type: str = "application/json"
    # False for the control plane: fault rules and rate limits never touch it.
    faultable: bool = True
    # Larger request bodies are refused with 413 before they are read in full.
    max_body_bytes: int = 1024 * 1024


@dataclass
class Provider:
    name: str  # also the URL prefix: /<name>
    apis: list[Api]
    # At every reset: seed provider-wide state (public images, …) from fixtures.
    setup: Callable[[Context], None] | None = None
    # For every account, at reset or when the admin API adds one.
    setup_account: Callable[[Context], None] | None = None
    # Fresh credentials for an account the admin API adds without any.
    new_credentials: Callable[[ProviderIds], dict[str, Any]] | None = None
    timers: dict[str, Timer] = field(default_factory=dict)
    # Lifecycle hooks: a row entered a state / is about to be removed. By default the row's
    # declared kind decides (`shapes.Resource.on_enter` / `on_remove`).
    on_enter: Callable[[Context, Row, str], None] | None = field(default_factory=lambda: _dispatch_enter)
    on_remove: Callable[[Context, Row], None] | None = field(default_factory=lambda: _dispatch_remove)
    # Operator actions reachable at POST /_twin/providers/<name>/actions/<action> (e.g. a
    # credit top-up): fn(ctx for the chosen account, arguments) -> JSON-able result.
    admin_actions: dict[str, Callable[[Context, Mapping[str, Any]], Any]] = field(default_factory=dict)
    # Where a client points, below the prefix: label -> path (the first is the default).
    base_paths: dict[str, str] = field(default_factory=dict)
    # A credential a client of this account would hold (in-process scenario and contract runs).
    client_token: Callable[[Context], str] | None = None
    # The headers a client sends with that credential.
    auth_headers: Callable[[str], dict[str, str]] | None = None
    # How the control plane shows a resource kind (kind -> view) where calling the spec's
    # `x-cloudtwin.resources.<kind>.get` operation would need a credential minted for it.
    resource_views: dict[str, Callable[[Context, Row], Any]] = field(default_factory=dict)
    # What a resource costs on the provider's own meter, asked when a request creates it:
    # {"currency": ..., "per_hour": ..., "once": ...}, or None for a free or unpriced kind.
    price: Callable[[Context, Row], Mapping[str, Any] | None] | None = None
    # One contract profile per API (`<package>/contract.py`): what a schemathesis run of it needs
    # beyond the spec. The harness reads profiles from here and names no provider itself.
    contract_profiles: Callable[[], Sequence[ContractProfile]] | None = None


def _dispatch_enter(ctx: Context, row: Row, state: str) -> None:
    hook = getattr(row, "on_enter", None)
    if hook is not None:
        hook(ctx, state)


def _dispatch_remove(ctx: Context, row: Row) -> None:
    hook = getattr(row, "on_remove", None)
    if hook is not None:
        hook(ctx)
