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

What differs between APIs is one `Profile` (`engine/contract_profile.py`), declared by the
provider package that serves the API (`Provider.contract_profiles`, in its `contract.py`) and by
the control plane beside its admin API: which spec, which auth scheme and credential field, where
the error code sits in the error body. Everything else (mount, scheme type, error schema and
table) is read from the spec. This module names no provider: it reads the registered ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

import yaml

from ..engine import resources
from ..engine.contract_profile import CLIENT_TOKEN, DEFAULT_ACCOUNT, NO_AUTH_WARNING, Profile

__all__ = ["CLIENT_TOKEN", "DEFAULT_ACCOUNT", "NO_AUTH_WARNING", "Profile", "Contract", "load", "profile", "schema"]

BASE_URL_ENV = "CLOUDTWIN_CONTRACT_BASE_URL"
TOKEN_ENV = "CLOUDTWIN_CONTRACT_TOKEN"
# Optional: the `/_twin` URL of a served twin, so that `reset()` works over HTTP too.
ADMIN_URL_ENV = "CLOUDTWIN_CONTRACT_ADMIN_URL"

# `cloudtwin contract` runs the schemathesis CLI in a subprocess and steers `contract_hooks` there
# through these variables; without them (pytest, a plain schemathesis run) the hooks do nothing.
BUDGET_ENV = "CLOUDTWIN_CONTRACT_MAX_REQUESTS"  # stop sending after this many requests
COUNT_FILE_ENV = "CLOUDTWIN_CONTRACT_COUNT_FILE"  # JSON {"sent": n, "refused": n}, rewritten per request
SETTLE_ENV = "CLOUDTWIN_CONTRACT_SETTLE"  # "<served twin /_twin URL> <seconds>": let accepted writes finish

SEED = 20251122  # schemathesis' seed: the same requests on every run
TWIN_SEED = 7  # the twin's seed: the same ids, tokens and addresses on every run
FROZEN_AT = "2025-06-02T09:00:00.000Z"  # the twin's clock during a contract run
MAX_EXAMPLES = 20  # per operation
STATEFUL_EXAMPLES = 40  # scenarios
MAX_STEPS = 10  # calls per scenario
ADMIN_TOKEN = "contract-admin-token-0000000000000"

# For the larger specs' CI suites: the coverage phase sends its positive boundary cases only (its
# negative cases multiply with body size; negative data still runs in fuzzing, and in full in
# `cloudtwin contract` and the hostile-input tests), and no undeclared-method probes.
CI_OVERRIDES = {"phases": {"coverage": {"generation": {"mode": "positive"}, "unexpected-methods": []}}}

# `positive_data_acceptance`: what a schema-valid request may get. Schemathesis' default
# also allows 401/403, which lets a run with a wrong token pass; they are left out on purpose.
POSITIVE_STATUSES = ["2xx", "404", "409", "429", "5xx"]
# `negative_data_rejection`: schemathesis' own list, and 413: an invalid body can also be too large
# (fuzzing draws multi-megabyte strings where a schema sets no maxLength); every API here refuses a
# body over its limit (1 MiB) with 413 in its own error shape, before reading the rest of it.
NEGATIVE_STATUSES = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]
def operations_config(prof: Profile) -> dict[str, Any]:
    """`[[operations]]` and `[dictionaries]` from a profile's `accepts` and `hints`, one entry per operation."""
    per_operation: dict[str, dict[str, Any]] = {}
    for operation_id, statuses in prof.accepts.items():
        per_operation.setdefault(operation_id, {})["checks"] = {
            "positive_data_acceptance": {"expected-statuses": POSITIVE_STATUSES + list(statuses)}}
    for operation_id, statuses in prof.negative_accepts.items():
        per_operation.setdefault(operation_id, {}).setdefault("checks", {})["negative_data_rejection"] = {
            "expected-statuses": NEGATIVE_STATUSES + list(statuses)}
    dictionaries: dict[str, Any] = {}
    for operation_id, bindings in (prof.hints() if prof.hints else {}).items():
        for key, (values, probability) in bindings.items():
            name = f"{prof.name}.{operation_id}.{key}"
            dictionaries[name] = {"values": list(values)}
            per_operation.setdefault(operation_id, {}).setdefault("parameters", {})[key] = {
                "dictionary": name, "probability": probability}
    out: dict[str, Any] = {}
    if per_operation:
        out["operations"] = [{"include-operation-id": op, **cfg} for op, cfg in sorted(per_operation.items())]
    if dictionaries:
        out["dictionaries"] = dictionaries
    return out


@lru_cache(maxsize=None)
def _registry() -> tuple[dict[str, Profile], dict[str, str], dict[str, list[str]]]:
    """Every registered API's profile, the names the command line also takes for one, and each
    provider's APIs (a provider name on the command line stands for all of them)."""
    from ..engine.admin import admin_provider
    from ..providers import all_providers

    profiles: dict[str, Profile] = {}
    aliases: dict[str, str] = {}
    provider_apis: dict[str, list[str]] = {}
    for provider in [*all_providers(), admin_provider()]:
        for prof in provider.contract_profiles() if provider.contract_profiles else ():
            profiles[prof.name] = prof
            aliases.update({alias: prof.name for alias in prof.aliases})
            provider_apis.setdefault(prof.provider, []).append(prof.name)
    return profiles, aliases, provider_apis


def __getattr__(name: str) -> Any:
    """`PROFILES`, `ALIASES` and `PROVIDER_APIS`, read from the providers when first asked for."""
    tables = {"PROFILES": 0, "ALIASES": 1, "PROVIDER_APIS": 2}
    if name in tables:
        return _registry()[tables[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def profile(name: str) -> Profile:
    profiles, aliases, _ = _registry()
    key = aliases.get(name, name)
    if key not in profiles:
        raise KeyError(f"no contract profile for {name!r} (known: {', '.join(sorted(profiles))})")
    return profiles[key]


@lru_cache(maxsize=None)
def _document(spec_file: str) -> dict[str, Any]:
    return yaml.safe_load((resources.spec_dir() / spec_file).read_text(encoding="utf-8"))


def profile_for_title(title: str) -> Profile | None:
    """The profile whose spec has this `info.title` (how checks tell the schemas apart)."""
    for candidate in _registry()[0].values():
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

    return schemathesis.Config.from_dict(config_data(prof, base_url=base_url, token=token, seed=seed,
                                                     max_examples=max_examples, max_steps=max_steps,
                                                     overrides=overrides))


def config_data(prof: Profile, *, base_url: str, token: str, seed: int = SEED,
                max_examples: int = MAX_EXAMPLES, max_steps: int = MAX_STEPS,
                overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """`build_config`'s data (what `cloudtwin contract` writes to the CLI's --config-file)."""
    data: dict[str, Any] = {
        "seed": seed,
        "base-url": base_url,
        "generation": {"database": "none", "max-examples": max_examples},
        "phases": {
            "coverage": {"extra-data-sources": {"responses": False}},
            "fuzzing": {"extra-data-sources": {"responses": False}},
            "stateful": {"max-steps": max_steps},
        },
        "checks": {"positive_data_acceptance": {"expected-statuses": list(POSITIVE_STATUSES)},
                   "negative_data_rejection": {"expected-statuses": list(NEGATIVE_STATUSES)}},
        "warnings": {"fail-on": ["missing_auth"]},
    }
    auth = auth_config(prof, token)
    if auth:
        data["auth"] = auth
    if prof.parameters is not None:
        data["parameters"] = dict(prof.parameters())
    data.update(operations_config(prof))
    return _merge(_merge(data, prof.config), overrides or {})


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
    if prof.credential == CLIENT_TOKEN:
        if twin is None:
            raise ValueError(f"{prof.name}: a token from the provider's identity service is needed (--token)")
        return issue_client_token(twin, prof.provider)
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

    @property
    def checks(self) -> list[Any]:
        """Checks that hold only for the twin (pass as `additional_checks`); none for a real endpoint."""
        from .contract_hooks import twin_validation_accepts_valid_input

        return [twin_validation_accepts_valid_input] if self.in_process else []

    @property
    def can_move_clock(self) -> bool:
        return self.twin is not None or bool(self.admin_url)

    def settle(self) -> None:
        """Let virtual time pass until every pending lifecycle step is due (deletes finish, creates end)."""
        seconds = settle_seconds(self.profile)
        if self.twin is not None:
            self.twin.advance(seconds)
        elif self.admin_url:
            self._admin("/clock/advance", {"seconds": seconds})

    def after_call(self, response: Any, case: Any) -> None:
        """What the state machine does after each step: an accepted create, action or delete is
        let finish, as a client polling for `active`/`created`/404 would wait (Terraform does)."""
        if (self.profile.async_deletes and case.method.upper() in ("POST", "DELETE")
                and 200 <= response.status_code < 300 and self.can_move_clock):
            self.settle()

    def state_machine(self, *, max_examples: int = STATEFUL_EXAMPLES, max_steps: int = MAX_STEPS) -> Any:
        """`schema.as_state_machine()` wired to this target: reset per scenario, settle after deletes,
        twin-only checks, and fixed Hypothesis settings (derandomized: the same scenarios every run)."""
        import hypothesis

        target = self

        # schemathesis builds the state machine class at run time: mypy cannot check a base
        # class it cannot see (misc: unsupported dynamic base class).
        class Flows(self.schema.as_state_machine()):  # type: ignore[misc]
            def setup(self) -> None:
                target.reset()

            def after_call(self, response: Any, case: Any) -> None:
                super().after_call(response, case)
                target.after_call(response, case)

            def validate_response(self, response: Any, case: Any, additional_checks: Any = None,
                                  **kwargs: Any) -> None:
                checks = list(additional_checks or []) + target.checks
                super().validate_response(response, case, additional_checks=checks, **kwargs)

        Flows.TestCase.settings = hypothesis.settings(
            max_examples=max_examples, stateful_step_count=max_steps, deadline=None, derandomize=True,
            database=None, suppress_health_check=list(hypothesis.HealthCheck),
        )
        return Flows

    def _admin(self, path: str, body: Mapping[str, Any]) -> None:
        import requests

        headers = {"Authorization": f"Bearer {os.environ.get('CLOUDTWIN_CONTRACT_ADMIN_TOKEN', '')}"}
        requests.post(str(self.admin_url).rstrip("/") + path, json=dict(body), headers=headers,
                      timeout=10).raise_for_status()

    def reset(self) -> None:
        """Back to the fixtures with the clock frozen at `FROZEN_AT`.

        In-process this is `twin.reset()`; over HTTP only when `CLOUDTWIN_CONTRACT_ADMIN_URL`
        names a served twin. A real cloud is never reset.
        """
        if self.twin is not None:
            reset_twin(self.twin)
            if self.profile.credential == CLIENT_TOKEN:
                # The reset dropped the issued token; the seeded id stream issues the same one again.
                issue_client_token(self.twin, self.profile.provider)
        elif self.admin_url:
            # Over HTTP the clock cannot go back to FROZEN_AT: back to real time, then frozen there.
            self._admin("/reset", {"clock": True})
            self._admin("/clock/freeze", {})


def settle_seconds(prof: Profile) -> float:
    """The longest step of any lifecycle in the provider's fixtures (0 without lifecycles)."""
    from ..engine.clock import parse_duration

    path = resources.fixtures_dir() / prof.provider / "lifecycles.yaml"
    if not path.is_file():
        return 0.0
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    steps = [parse_duration(state["after"]) for states in raw.values() for name, state in (states or {}).items()
             if not name.startswith("_") and isinstance(state, dict) and "after" in state]
    return max(steps, default=0.0) + 1.0


def issue_client_token(twin: Any, provider: str, account: str = DEFAULT_ACCOUNT) -> str:
    """A live token of `account`, as the provider's identity service would issue it."""
    from ..engine.provider import Context

    with twin.lock:
        return str(twin.providers[provider].client_token(
            Context(twin, provider, twin.store.accounts[account], twin.clock.now())))


def reset_twin(twin: Any) -> None:
    from ..engine.clock import parse_iso

    twin.reset()
    twin.clock.freeze(parse_iso(FROZEN_AT))  # freeze() sets the instant directly, even backwards


def new_twin(prof: Profile, *, seed: int = TWIN_SEED) -> tuple[Any, Any]:
    """A twin serving this API (and its control plane), reset and frozen; and its Flask app."""
    from ..app import build_twin, create_app
    from ..engine.admin import ADMIN

    providers = [] if prof.provider == ADMIN else [prof.provider]
    twin = build_twin(providers, seed=seed)
    reset_twin(twin)
    admin_token = ADMIN_TOKEN if prof.provider == ADMIN else None
    app = create_app(twin, admin_token=admin_token)
    app.testing = True
    return twin, app


def load(name: str, *, base_url: str | None = None, token: str | None = None, in_process: bool = False,
         seed: int = SEED, max_examples: int = MAX_EXAMPLES, max_steps: int = MAX_STEPS,
         overrides: Mapping[str, Any] | None = None, twin_seed: int = TWIN_SEED) -> Contract:
    """The contract for one API: in-process unless a base URL is given (or in the env).

    `in_process=True` ignores the environment (tests that patch the twin need it in-process).
    """
    import schemathesis

    from . import contract_hooks  # noqa: F401  (registers the shared checks)

    prof = profile(name)
    base_url = None if in_process else (base_url or os.environ.get(BASE_URL_ENV) or None)
    twin = app = None
    if base_url is None:
        twin, app = new_twin(prof, seed=twin_seed)
        base_url = "http://localhost" + mount_path(prof)
        token = token or default_credential(prof, twin)
    else:
        token = token or os.environ.get(TOKEN_ENV) or default_credential(prof)
    admin_url = None if app is not None else os.environ.get(ADMIN_URL_ENV) or None
    if prof.async_deletes and app is None and not admin_url:
        # A real endpoint's deletes finish in their own time; a read right after one may still see
        # the resource (`deleting`), which is the provider's documented behaviour, not a bug.
        overrides = _merge({"checks": {"use_after_free": {"enabled": False}}}, overrides or {})
    config = build_config(prof, base_url=base_url, token=token, seed=seed, max_examples=max_examples,
                          max_steps=max_steps, overrides=overrides)
    schema = schemathesis.openapi.from_path(prof.spec_path, config=config)
    if app is not None:
        schema.app = app  # the WSGI transport: requests go through the app, no socket
    return Contract(prof, schema, base_url, token, twin, app, admin_url)


def schema(name: str, **kwargs: Any) -> Any:
    """Just the loaded schemathesis schema (see `load` for the arguments)."""
    return load(name, **kwargs).schema
