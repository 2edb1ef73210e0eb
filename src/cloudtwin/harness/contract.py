"""Schemathesis contract runs against one API of the twin, or against a real endpoint.

    from cloudtwin.harness import contract
    target = contract.load("genesis")          # in-process twin, or env CLOUDTWIN_CONTRACT_BASE_URL
    schema = target.schema                     # a loaded schemathesis schema, config already applied

    @schema.parametrize()
    def test_operations(case):
        target.reset()                         # the twin back to its fixtures, clock frozen
        case.call_and_validate()

The config is built here, never discovered from the working directory: a fixed seed, no
example database, no reuse of response values (inputs do not depend on the server), auth
through `[auth.openapi.<scheme>]` with the default account's credential, 401/403 not counted
as accepting valid data (a wrong token must fail the run), `missing_auth` fatal for the CLI.

What differs between providers is one `Profile` line in `PROFILES`: which spec, which auth
scheme and credential field, where the error code sits in the error body. Everything else
(mount, scheme type, error schema and table) is read from the spec.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from ..engine import resources

BASE_URL_ENV = "CLOUDTWIN_CONTRACT_BASE_URL"
TOKEN_ENV = "CLOUDTWIN_CONTRACT_TOKEN"
# Optional: the `/_twin` URL of a served twin, so that `reset()` works over HTTP too.
ADMIN_URL_ENV = "CLOUDTWIN_CONTRACT_ADMIN_URL"

SEED = 20251122  # schemathesis' seed: the same requests on every run
TWIN_SEED = 7  # the twin's seed: the same ids, tokens and addresses on every run
FROZEN_AT = "2025-06-02T09:00:00.000Z"  # the twin's clock during a contract run
MAX_EXAMPLES = 20
MAX_STEPS = 8
ADMIN_TOKEN = "contract-admin-token-0000000000000"
DEFAULT_ACCOUNT = "default"

# `positive_data_acceptance`: what a schema-valid request may get. Schemathesis' default
# also allows 401/403, which lets a run with a wrong token pass; they are left out on purpose.
POSITIVE_STATUSES = ["2xx", "404", "409", "429", "5xx"]


@dataclass(frozen=True)
class Profile:
    """The provider-specific facts a contract run needs; the rest comes from the spec."""

    name: str  # the API name (Api.name, key of twin.specs)
    provider: str  # the twin's provider, i.e. the URL prefix (/genesis, /_twin)
    spec_file: str
    auth_scheme: str | None  # a securitySchemes key to authenticate with
    credential: str | None  # field of accounts.yaml `credentials.<provider>`; None: the admin token
    error_code_pointer: str = "/code"  # where the error code sits in an error body
    error_schema: str = "#/components/schemas/Error"
    # Extra schemathesis config for this API, merged over the defaults (say why in a comment).
    config: Mapping[str, Any] = field(default_factory=dict)

    @property
    def spec_path(self) -> Path:
        return resources.spec_dir() / self.spec_file


PROFILES: dict[str, Profile] = {
    "genesis": Profile("genesis", "genesis", "genesis.yaml", auth_scheme="bearerAuth", credential="token"),
    "twin-admin": Profile("twin-admin", "_twin", "twin-admin.yaml", auth_scheme="adminToken", credential=None,
                          error_code_pointer="/error/code"),
}
ALIASES = {"_twin": "twin-admin", "admin": "twin-admin"}


def profile(name: str) -> Profile:
    key = ALIASES.get(name, name)
    if key not in PROFILES:
        raise KeyError(f"no contract profile for {name!r} (known: {', '.join(sorted(PROFILES))})")
    return PROFILES[key]


@lru_cache(maxsize=None)
def _document(spec_file: str) -> dict[str, Any]:
    return yaml.safe_load((resources.spec_dir() / spec_file).read_text(encoding="utf-8"))


def profile_for_title(title: str) -> Profile | None:
    """The profile whose spec has this `info.title` (how checks tell the schemas apart)."""
    for candidate in PROFILES.values():
        if str((_document(candidate.spec_file).get("info") or {}).get("title", "")) == title:
            return candidate
    return None


def mount_path(prof: Profile, **mount_values: str) -> str:
    """Where the twin serves the API: `/<provider>` + the spec's `x-cloudtwin.mount`."""
    document = _document(prof.spec_file)
    path = "/" + prof.provider + str((document.get("x-cloudtwin") or {}).get("mount", "")).rstrip("/")
    variables = ((document.get("servers") or [{}])[0] or {}).get("variables") or {}
    for key, spec in variables.items():
        path = path.replace("{" + key + "}", str(mount_values.get(key, spec.get("default", ""))))
    return path


def auth_config(prof: Profile, token: str) -> dict[str, Any]:
    """`[auth.openapi.<scheme>]` for the scheme's type as the spec declares it."""
    if prof.auth_scheme is None:
        return {}
    schemes = (_document(prof.spec_file).get("components") or {}).get("securitySchemes") or {}
    scheme = schemes[prof.auth_scheme]
    if scheme.get("type") == "apiKey":
        value: dict[str, Any] = {"api_key": token}
    elif scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
        value = {"bearer": token}
    else:
        raise ValueError(f"{prof.spec_file}: scheme {prof.auth_scheme} of type {scheme.get('type')} is not wired")
    return {"openapi": {prof.auth_scheme: value}}


def build_config(prof: Profile, *, base_url: str, token: str, seed: int = SEED,
                 max_examples: int = MAX_EXAMPLES, max_steps: int = MAX_STEPS,
                 overrides: Mapping[str, Any] | None = None) -> Any:
    """The schemathesis config for one API, built explicitly (never discovered from the CWD)."""
    import schemathesis

    data: dict[str, Any] = {
        "seed": seed,
        "base-url": base_url,
        "generation": {"database": "none", "max-examples": max_examples},
        "phases": {
            "coverage": {"extra-data-sources": {"responses": False}},
            "fuzzing": {"extra-data-sources": {"responses": False}},
            "stateful": {"max-steps": max_steps},
        },
        "checks": {"positive_data_acceptance": {"expected-statuses": list(POSITIVE_STATUSES)}},
        "warnings": {"fail-on": ["missing_auth"]},
    }
    auth = auth_config(prof, token)
    if auth:
        data["auth"] = auth
    data = _merge(_merge(data, prof.config), overrides or {})
    return schemathesis.Config.from_dict(data)


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def default_credential(prof: Profile, twin: Any = None) -> str:
    """The default account's credential for this API (from the twin, else from the fixtures)."""
    if prof.credential is None:
        return ADMIN_TOKEN
    if twin is not None:
        return str(twin.store.accounts[DEFAULT_ACCOUNT].credentials[prof.provider][prof.credential])
    accounts = yaml.safe_load((resources.fixtures_dir() / "accounts.yaml").read_text(encoding="utf-8"))
    account = next(a for a in accounts["accounts"] if a["id"] == DEFAULT_ACCOUNT)
    return str(account["credentials"][prof.provider][prof.credential])


@dataclass
class Contract:
    """A loaded schema plus what it runs against: an in-process twin, or a URL."""

    profile: Profile
    schema: Any  # schemathesis.specs.openapi.schemas.OpenApiSchema
    base_url: str
    token: str
    twin: Any = None  # cloudtwin Twin when in-process
    app: Any = None  # the Flask app when in-process
    admin_url: str | None = None  # a served twin's /_twin, for reset over HTTP

    @property
    def in_process(self) -> bool:
        return self.app is not None

    def reset(self) -> None:
        """Back to the fixtures with the clock frozen at `FROZEN_AT`.

        In-process this is `twin.reset()`; over HTTP only when `CLOUDTWIN_CONTRACT_ADMIN_URL`
        names a served twin. A real cloud is never reset.
        """
        if self.twin is not None:
            reset_twin(self.twin)
        elif self.admin_url:
            import requests

            for path, body in (("/reset", {}), ("/clock/freeze", {"at": FROZEN_AT})):
                headers = {"Authorization": f"Bearer {os.environ.get('CLOUDTWIN_CONTRACT_ADMIN_TOKEN', '')}"}
                requests.post(self.admin_url.rstrip("/") + path, json=body, headers=headers,
                              timeout=10).raise_for_status()


def reset_twin(twin: Any) -> None:
    from ..engine.clock import parse_iso

    twin.reset()
    twin.clock.freeze(parse_iso(FROZEN_AT))  # freeze() sets the instant directly, even backwards


def new_twin(prof: Profile, *, seed: int = TWIN_SEED) -> tuple[Any, Any]:
    """A twin serving this API (and its control plane), reset and frozen; and its Flask app."""
    from ..app import build_twin, create_app

    providers = [] if prof.provider == "_twin" else [prof.provider]
    twin = build_twin(providers, seed=seed)
    reset_twin(twin)
    admin_token = ADMIN_TOKEN if prof.provider == "_twin" else None
    app = create_app(twin, admin_token=admin_token)
    app.testing = True
    return twin, app


def load(name: str, *, base_url: str | None = None, token: str | None = None, seed: int = SEED,
         max_examples: int = MAX_EXAMPLES, max_steps: int = MAX_STEPS,
         overrides: Mapping[str, Any] | None = None, twin_seed: int = TWIN_SEED) -> Contract:
    """The contract for one API: in-process unless a base URL is given (or in the env)."""
    import schemathesis

    from . import contract_hooks  # noqa: F401  (registers the shared checks)

    prof = profile(name)
    base_url = base_url or os.environ.get(BASE_URL_ENV) or None
    twin = app = None
    if base_url is None:
        twin, app = new_twin(prof, seed=twin_seed)
        base_url = "http://localhost" + mount_path(prof)
        token = token or default_credential(prof, twin)
    else:
        token = token or os.environ.get(TOKEN_ENV) or default_credential(prof)
    config = build_config(prof, base_url=base_url, token=token, seed=seed, max_examples=max_examples,
                          max_steps=max_steps, overrides=overrides)
    schema = schemathesis.openapi.from_path(prof.spec_path, config=config)
    if app is not None:
        schema.app = app  # the WSGI transport: requests go through the app, no socket
    return Contract(prof, schema, base_url, token, twin, app, os.environ.get(ADMIN_URL_ENV) or None)


def schema(name: str, **kwargs: Any) -> Any:
    """Just the loaded schemathesis schema (see `load` for the arguments)."""
    return load(name, **kwargs).schema
