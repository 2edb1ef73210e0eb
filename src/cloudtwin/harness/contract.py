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
from typing import Any, Callable, Mapping

import yaml

from ..engine import resources

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
CLIENT_TOKEN = "@client_token"  # Profile.credential: the provider issues the token (see default_credential)
DEFAULT_ACCOUNT = "default"

# For the larger specs' CI suites: the coverage phase sends its positive boundary cases only (its
# negative cases multiply with body size; negative data still runs in fuzzing, and in full in
# `cloudtwin contract` and the hostile-input tests), and no undeclared-method probes.
CI_OVERRIDES = {"phases": {"coverage": {"generation": {"mode": "positive"}, "unexpected-methods": []}}}

# `positive_data_acceptance`: what a schema-valid request may get. Schemathesis' default
# also allows 401/403, which lets a run with a wrong token pass; they are left out on purpose.
POSITIVE_STATUSES = ["2xx", "404", "409", "429", "5xx"]
NEGATIVE_STATUSES = ["400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "5xx"]  # schemathesis' own
# An API where 403 is a business answer (most operations on public images answer only 403) makes
# schemathesis' missing_auth warning fire with a good token; a wrong one is still caught: 401 is
# not in POSITIVE_STATUSES.
NO_AUTH_WARNING = {"warnings": {"fail-on": []}}


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
    hints: Callable[[], Mapping[str, Mapping[str, tuple[list[Any], float]]]] | None = None
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

    @property
    def spec_path(self) -> Path:
        return resources.spec_dir() / self.spec_file


def operations_config(prof: "Profile") -> dict[str, Any]:
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


def _fixture(provider: str, name: str) -> Any:
    return yaml.safe_load((resources.fixtures_dir() / provider / f"{name}.yaml").read_text(encoding="utf-8"))


def _openssh_key(key_type: str, label: str) -> str:
    """A well-formed OpenSSH public key line (fixed bytes; never used to log in anywhere)."""
    import base64
    import hashlib
    import struct

    def string(data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + data

    blob = string(key_type.encode()) + string(hashlib.sha256(label.encode()).digest())
    return f"{key_type} {base64.b64encode(blob).decode()} {label}@cloudtwin"


def genesis_hints() -> dict[str, dict[str, tuple[list[Any], float]]]:
    """Real instance types, image slugs and a valid key, so that creates succeed often enough.

    Generators favour a dictionary's first entries: those come first that fit together
    (stock in NORD-NO-KRS-1, an image every accelerator runs).
    """
    types_info = _fixture("genesis", "instance_types")["instance_types"]
    types = sorted(types_info, key=lambda t: ("NORD-NO-KRS-1" not in types_info[t].get("stock", {}),
                                              types_info[t].get("gpus", 0), t))
    catalogue = _fixture("genesis", "images")["images"]
    images = [i["slug"] for i in sorted(catalogue, key=lambda i: -len(i.get("accelerators") or []))
              if i.get("slug")]
    sizes = ([1, 10, 100, 500], 0.8)  # GiB, well inside the default account's storage quota
    return {
        "createInstance": {"body.type": (types, 0.9), "body.image": (images, 0.9),
                           "body.region": (["NORD-NO-KRS-1"], 0.7)},
        "createVolume": {"body.size": sizes, "body.region": (["NORD-NO-KRS-1"], 0.5)},
        "updateVolume": {"body.size": sizes},
        "createFilesystem": {"body.size": sizes},
        "updateFilesystem": {"body.size": sizes},
        "createSnapshot": {"body.size": sizes},
        "createSSHKey": {"body.value": ([_openssh_key("ssh-ed25519", "contract-a"),
                                         _openssh_key("ssh-ed25519", "contract-b")], 0.8)},
    }


GENESIS_BUSINESS_RULES = {
    # Every create that takes a `region` may answer 400 02045: ARC-IS-HAF-1 is in the Region enum
    # for legacy accounts, and the contract runs as the default (current) account.
    # 400: unknown instance type or image, image outside the region (02036) or unfit for the type (02035),
    # ssh_keys with password (02046), unknown referenced ids (02048), type not offered there (02045).
    # 403: the account's GPU or CPU quota (02039).
    "createInstance": ["400", "403"],
    "updateInstance": ["400"],  # disk_size shrinks (02042); unknown or other-region volume/group (02048, 02036)
    "createVolume": ["400", "403"],  # ssd outside NORD-NO-KRS-1 (02045); storage quota (02039)
    "updateVolume": ["400", "403"],  # shrinking (02042); storage quota (02039)
    "createFilesystem": ["400"],  # the legacy-only region (02045)
    "updateFilesystem": ["400"],  # shrinking (02042)
    "createSecurityGroup": ["400"],  # reserved names (02040); port_range_min above port_range_max (02002)
    "updateSecurityGroup": ["400"],  # the same rules
    "createSSHKey": ["400"],  # a value that is not an OpenSSH public key (02047)
    "createFloatingIP": ["400"],  # the legacy-only region (02045)
    "createSnapshot": ["400"],  # the legacy-only region (02045)
    "cloneSnapshot": ["400"],  # the legacy-only region (02045)
    "createInstanceSnapshot": ["400"],  # a legacy-only `replicated_region` (02045)
}

ADMIN_RULES = {
    "freezeClock": ["400"],  # an `at` before the virtual now: the clock never moves backwards
    "setClock": ["400"],  # the same
    "advanceClock": ["400"],  # a `duration` longer than ten years (the bound `seconds` states in the schema)
    # An unknown fault kind, attributes the kind refuses, a `match.path` that is no regular expression:
    # FaultAction is open (`type` plus the kind's attributes) because kinds are registered at run time.
    "addFault": ["400"],
    "importState": ["400"],  # a document of another state version, or not a whole export
}

BARRACK_RULES = {
    "obtainToken": ["401"],  # wrong email or password (authentication_failed): generated credentials are wrong
    "refreshToken": ["401"],  # a refresh token the twin never issued (token_not_valid)
    # 400: boot size under the image's minimum; a boot volume also listed in volumes to attach.
    "createInstance": ["400"],
    "addInstanceSecurityRule": ["400"],  # port_range_min above port_range_max (port_range_order)
    "addFirewallRule": ["400"],  # the same rule on firewalls
}

# Glance answers 403 for most ownership and visibility rules: the contract runs as the default
# account, and most ids it meets (links from listImages, spec examples) are Rackspace's public images.
RACKSPACE_IMAGES_RULES = {
    "listVersionsRoot": ["300"],  # Glance's version root answers 300 Multiple Choices (documented)
    # An unknown `marker` (marker_not_found); `sort` together with `sort_key`/`sort_dir` (sort_mixed);
    # more `sort_dir` values than `sort_key` values (sort_dir_count).
    "listImages": ["400"],
    "listTasks": ["400"],  # the same marker and sort rules for tasks
    "createImage": ["403"],  # Rackspace registers images only by import task or snapshot (image_create_not_offered)
    "uploadImageFile": ["403"],  # and never takes image data directly (image_upload_not_offered)
    "downloadImageFile": ["403"],  # nor hands it out: export tasks do (image_download_not_offered)
    # 403: a public or another account's image, a protected or read-only property; 413: property quota.
    "updateImage": ["403", "413"],
    "deleteImage": ["403"],  # a public, protected or another account's image
    "deactivateImage": ["403"],  # only the owner, only from active (deactivate_forbidden, deactivate_bad_status)
    "reactivateImage": ["403"],  # only the owner, only from deactivated
    "addImageTag": ["403", "413"],  # not the owner; tag quota
    "deleteImageTag": ["403"],  # not the owner
    "listImageMembers": ["403"],  # public images have no members
    "createImageMember": ["403", "413"],  # public images, not the owner; member quota
    "getImageMember": ["403"],  # public images have no members
    "updateImageMember": ["403"],  # only the member may set its status; public images have no members
    "deleteImageMember": ["403"],  # only the owner removes members; public images have no members
    "createTask": ["403"],  # a task type or target the account may not run (task_create_forbidden)
}

def files_parameters() -> dict[str, str]:
    """Cloud Files' `{account}`: the default account's object-store tenant, as its catalog names it."""
    tenant = (_fixture("rackspace", "object_store").get("accounts") or {}).get(DEFAULT_ACCOUNT, {})
    return {"path.account": str(tenant["object_store_tenant"])}


# 403: an `{account}` that is not the token's object-store tenant (Swift: "Access was denied"). The
# fixed `path.account` covers the operations phases; the state machine's first calls generate it.
RACKSPACE_FILES_RULES = {op: ["403"] for op in ("listContainers", "listObjects", "createContainer",
                                                  "deleteContainer", "putObject", "deleteObject")}

RACKSPACE_IDENTITY_RULES = {
    "authenticate": ["401",  # generated credentials name no user, or the wrong password/API key
                     "400"],  # tenantId together with tenantName (Identity refuses both at once)
}

PROFILES: dict[str, Profile] = {
    "genesis": Profile("genesis", "genesis", "genesis.yaml", auth_scheme="bearerAuth", credential="token",
                       accepts=GENESIS_BUSINESS_RULES, hints=genesis_hints, async_deletes=True),
    "twin-admin": Profile("twin-admin", "_twin", "twin-admin.yaml", auth_scheme="adminToken", credential=None,
                          error_code_pointer="/error/code", error_message_pointer="/error/message",
                          accepts=ADMIN_RULES),
    "barrack": Profile("barrack", "barrack", "barrack.yaml", auth_scheme="ApiKeyAuth", credential="api_key",
                       error_schema="#/components/schemas/ErrorResponse", error_message_pointer="/detail",
                       accepts=BARRACK_RULES,
                       # Flows follow the spec's links only: schemathesis' dependency analysis links
                       # `snapshot_ids` of a request body (integers it may write as 427195.0) to the
                       # `{snapshot_id}` path segment, a flow no client makes.
                       # obtainToken/refreshToken answer only 401 to generated credentials (NO_AUTH_WARNING).
                       config={"phases": {"stateful": {"inference": {"algorithms": ["location-headers"]}}},
                               **NO_AUTH_WARNING}),
    "rackspace-images": Profile("rackspace-images", "rackspace", "rackspace-images.yaml", auth_scheme="rackspaceToken",
                                credential=CLIENT_TOKEN, error_json_only=False, accepts=RACKSPACE_IMAGES_RULES,
                                config=NO_AUTH_WARNING,
                                # Property filters are `{type: string}` values of an exploded query object;
                                # schemathesis "violates" them with numbers, which are strings on the wire
                                # (its query additionalProperties false positive), so the twin rightly answers 200.
                                negative_accepts={"listImages": ["200"]}),
    # GET /v2.0/tenants takes an Identity token; the other operations need none.
    "rackspace-identity": Profile("rackspace-identity", "rackspace", "rackspace-identity.yaml",
                                  auth_scheme="rackspaceToken", credential=CLIENT_TOKEN,
                                  error_schema="#/components/schemas/IdentityFault",
                                  error_code_pointer=None, error_message_pointer=None,
                                  accepts=RACKSPACE_IDENTITY_RULES, config=NO_AUTH_WARNING),
    # Swift answers errors as short HTML pages: no JSON error shape to hold them to. The `{account}`
    # path segment is the default account's object-store tenant (see files_parameters).
    "rackspace-files": Profile("rackspace-files", "rackspace", "rackspace-files.yaml", auth_scheme="rackspaceToken",
                               credential=CLIENT_TOKEN, error_schema=None, error_code_pointer=None,
                               error_message_pointer=None, parameters=lambda: files_parameters(),
                               accepts=RACKSPACE_FILES_RULES, config=NO_AUTH_WARNING,
                               # An object is any bytes: a "wrongly typed" body is still an object (201).
                               negative_accepts={"putObject": ["201"]}),
}
ALIASES = {"_twin": "twin-admin", "admin": "twin-admin", "images": "rackspace-images",
           "identity": "rackspace-identity", "files": "rackspace-files"}
# A provider name on the command line stands for all of its APIs.
PROVIDER_APIS = {"genesis": ["genesis"], "barrack": ["barrack"],
                 "rackspace": ["rackspace-images", "rackspace-identity", "rackspace-files"],
                 "_twin": ["twin-admin"], "twin-admin": ["twin-admin"], "admin": ["twin-admin"]}


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
        "checks": {"positive_data_acceptance": {"expected-statuses": list(POSITIVE_STATUSES)}},
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

    providers = [] if prof.provider == "_twin" else [prof.provider]
    twin = build_twin(providers, seed=seed)
    reset_twin(twin)
    admin_token = ADMIN_TOKEN if prof.provider == "_twin" else None
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
