"""What a contract run must know about one API that its spec cannot say.

Each provider package declares the profiles of its APIs next to its `provider()` (in its
`contract.py`, handed over as `Provider.contract_profiles`), and the control plane declares
its own beside the admin API; the harness (`harness/contract.py`) reads them from there and
names no provider itself. A profile is plain data: declaring one imports no test tooling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from . import resources
from .yamlio import load_shared

# Profile.credential: the provider issues the token in-process (`Provider.client_token`).
CLIENT_TOKEN = "@client_token"
DEFAULT_ACCOUNT = "default"  # the fixtures' account a contract run acts as
# An API where 403 is a business answer (most operations on public images answer only 403) makes
# schemathesis' missing_auth warning fire with a good token; a wrong one is still caught: 401 is
# not among the statuses a valid request may get.
NO_AUTH_WARNING: dict[str, Any] = {"warnings": {"fail-on": []}}

Hints = Mapping[str, Mapping[str, tuple[list[Any], float]]]


@dataclass(frozen=True)
class Profile:
    """The provider-specific facts a contract run needs; the rest comes from the spec."""

    name: str  # the API name (Api.name, key of twin.specs)
    provider: str  # the twin's provider, i.e. the URL prefix (/genesis, /_twin)
    spec_file: str
    auth_scheme: str | None  # a securitySchemes key to authenticate with
    # field of accounts.yaml `credentials.<provider>`; None: the admin token; CLIENT_TOKEN: a token the
    # provider issues in-process (`Provider.client_token`, e.g. a Rackspace Identity token)
    credential: str | None
    error_code_pointer: str | None = "/code"  # where the error code sits in an error body (None: no code)
    error_message_pointer: str | None = "/message"
    error_schema: str | None = "#/components/schemas/Error"  # None: errors are not JSON (Swift's HTML)
    # False: an error body may also be HTML or text, chosen by the request's Accept (Glance);
    # only JSON error bodies are then held to the error schema.
    error_json_only: bool = True
    # operationId -> statuses a schema-valid request may also get, for business rules JSON Schema
    # cannot state (cross-field, cross-resource, quota). Say which rule in a comment.
    accepts: Mapping[str, list[str]] = field(default_factory=dict)
    # operationId -> {"body.<field>": (values, probability)}: values the generator prefers, so that
    # valid-looking requests get past the provider's business rules and reach deeper states.
    hints: Callable[[], Hints] | None = None
    # Creates and deletes finish on the provider's clock (`creating` then `created`; `deleting`
    # then 404), as on the real provider. The state machine lets virtual time pass after each
    # accepted POST or DELETE, as a polling client waits, so `use_after_free` sees deletes done;
    # against an endpoint whose clock cannot be moved, `use_after_free` is off.
    async_deletes: bool = False
    # operationId -> statuses an invalid request may also get (`negative_data_rejection`), say why.
    negative_accepts: Mapping[str, list[str]] = field(default_factory=dict)
    # Extra schemathesis config for this API, merged over the defaults (say why in a comment).
    config: Mapping[str, Any] = field(default_factory=dict)
    # Fixed parameter values (`{"path.account": ...}`): the default account's, for the twin and
    # the fixtures; against a real endpoint `load(overrides={"parameters": ...})` gives the real ones.
    parameters: Callable[[], Mapping[str, Any]] | None = None
    # Other names the command line takes for this API (`images` for rackspace-images).
    aliases: tuple[str, ...] = ()

    @property
    def spec_path(self) -> Path:
        return resources.spec_dir() / self.spec_file


def fixture(provider: str, name: str) -> Any:
    """A bundled fixture file of a provider (`fixtures/<provider>/<name>.yaml`), for hints and parameters."""
    return load_shared(resources.fixtures_dir() / provider / f"{name}.yaml")
