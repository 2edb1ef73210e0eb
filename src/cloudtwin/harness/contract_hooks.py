"""Schemathesis checks shared by every cloudtwin contract run (pytest and CLI alike).

Importing this module registers them (`@schemathesis.check` is process-wide); a check
acts only on specs that `contract.PROFILES` knows, so other schemas in the same session
are left alone. The CLI loads it with `hooks = "cloudtwin.harness.contract_hooks"`.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import jsonschema_rs
import schemathesis

# Glance's JSON-patch media type is JSON to a client, not to schemathesis (see the reference, section 7).
for _patch_type in ("application/openstack-images-v2.0-json-patch", "application/openstack-images-v2.1-json-patch"):
    schemathesis.serializer.alias(_patch_type, "application/json")
# Cloud Files takes VHD uploads as raw bytes.
schemathesis.serializer.alias("application/x-vhd", "application/octet-stream")


def _profile_for(case: Any) -> Any:
    from .contract import profile_for_title

    raw = case.operation.schema.raw_schema
    return profile_for_title(str((raw.get("info") or {}).get("title", "")))


# (id of the spec document, error schema) -> (the document, kept alive so that its id stays its
# own, the compiled validator, the error table): an error answer costs a lookup, not a
# serialisation of the whole spec as a cache key (which was a tenth of a contract run).
_error_rules_cache: dict[tuple[int, str], tuple[Any, Any, dict[str, int]]] = {}


def _error_rules(spec_key: str, pointer: str, raw: dict[str, Any]) -> tuple[Any, dict[str, int]]:
    key = (id(raw), pointer)
    known = _error_rules_cache.get(key)
    if known is None or known[0] is not raw:
        known = _error_rules_cache[key] = (raw, _error_validator(spec_key, pointer, json.dumps(raw)),
                                           _error_table(raw))
    return known[1], known[2]


@lru_cache(maxsize=None)
def _error_validator(spec_key: str, pointer: str, raw_json: str) -> Any:
    """One compiled validator per (spec, error schema), with the spec's components for `$ref`s."""
    document = json.loads(raw_json)
    node: Any = document
    for part in pointer.lstrip("#/").split("/"):
        node = node[part]
    root = dict(node)
    root["components"] = document.get("components", {})
    return jsonschema_rs.validator_for(root, validate_formats=True)


def _error_table(raw: dict[str, Any]) -> dict[str, int]:
    """code -> status from the spec's `x-cloudtwin.errors`; -1 (any status) for `fault`, whose
    status is whatever the fault rule asked for, and for a code two statuses share."""
    table: dict[str, int] = {}
    for key, entry in ((raw.get("x-cloudtwin") or {}).get("errors") or {}).items():
        code, status = entry.get("code"), int(entry["status"])
        if code is None:
            continue
        status = -1 if key == "fault" else status
        table[str(code)] = status if table.get(str(code), status) == status else -1
    return table


def _pointer(body: Any, pointer: str) -> Any:
    node = body
    for part in pointer.strip("/").split("/"):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


@schemathesis.check
def provider_error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx answer is JSON in the provider's error shape, with a code from its table.

    The shape is the spec's own error schema (the profile names it); this also covers
    statuses the operation does not document (405 on an undeclared method, 415, 413 …),
    which `response_schema_conformance` cannot see. A code the twin's error table knows
    must come with the status that table gives it.
    """
    profile = _profile_for(case)
    if profile is None or profile.error_schema is None or response.status_code < 400:
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    if not content_type.split(";")[0].strip().lower().endswith("json"):
        if not profile.error_json_only:
            return None  # HTML or text by the request's Accept; the spec's documented types cover them
        raise AssertionError(f"{response.status_code} error answered with Content-Type {content_type!r}, not JSON")
    try:
        body = json.loads(response.content or b"")
    except ValueError:
        raise AssertionError(f"{response.status_code} error body is not JSON: {response.content[:200]!r}") from None
    raw = case.operation.schema.raw_schema
    validator, table = _error_rules(profile.name, profile.error_schema, raw)
    if not validator.is_valid(body):
        error = next(iter(validator.iter_errors(body)))
        raise AssertionError(f"{response.status_code} error body is not a {profile.name} error "
                             f"({error.message}): {body!r}")
    if profile.error_code_pointer is None:
        return None
    code = _pointer(body, profile.error_code_pointer)
    if str(code) not in table:
        raise AssertionError(f"error code {code!r} is not in the {profile.name} error table")
    expected = table[str(code)]
    if expected not in (-1, response.status_code):
        raise AssertionError(f"error code {code!r} belongs to status {expected}, answered {response.status_code}")
    return None


# What the engine's own request validation says (engine/validation.py); handlers never word it so.
_ENGINE_REFUSALS = re.compile(
    r"^(Invalid (path|query|header|body)\b|A request body is required|The request body is not valid JSON"
    r"|Content type .* is not supported|The request body exceeds)"
)


def twin_validation_accepts_valid_input(ctx: Any, response: Any, case: Any) -> bool | None:
    """A schema-valid request must get past the twin's request validation.

    Where a business rule may answer 400 to valid input (see `contract.accepting`), this
    still tells the twin's validator being stricter than the spec from a rule. Twin-only:
    it reads the engine's wording, so pass it as `additional_checks` for in-process runs.
    """
    profile = _profile_for(case)
    meta = case.meta
    if (profile is None or profile.error_message_pointer is None or meta is None
            or not meta.generation.mode.is_positive or response.status_code >= 500):
        return None
    if response.status_code < 400:
        return None
    try:
        body = json.loads(response.content or b"")
    except ValueError:
        return None
    message = _pointer(body, profile.error_message_pointer)
    if isinstance(message, str) and _ENGINE_REFUSALS.match(message):
        raise AssertionError(f"the twin's request validation refused a schema-valid request: {message}")
    return None


# `cloudtwin contract` steers the two hooks below through the environment (names in `contract`).


class RequestBudgetExhausted(KeyboardInterrupt):
    """The run's request budget (`--max-requests`) is spent; nothing more is sent.

    A KeyboardInterrupt on purpose: schemathesis takes it as "stop the run" (the operation in
    hand ends, the summary and every report are written, the exit status is 130), where any
    other exception would be reported against each remaining operation, with a traceback.
    """


def _install_budget() -> None:
    """Count every request at the transport (checks such as ignored_auth send their own copies,
    which no hook sees) and refuse to send once the budget is spent."""
    import os
    import threading

    from .contract import BUDGET_ENV, COUNT_FILE_ENV, SETTLE_ENV

    count_file = os.environ.get(COUNT_FILE_ENV)
    if not count_file:
        return
    budget = int(os.environ.get(BUDGET_ENV) or 0)  # 0: count only
    # Letting virtual time pass on the served twin is the harness talking to itself, not the API.
    own_url = (os.environ.get(SETTLE_ENV) or " ").rsplit(" ", 1)[0]
    import requests.adapters

    original = requests.adapters.HTTPAdapter.send
    tally = {"sent": 0, "refused": 0}
    lock = threading.Lock()

    def record() -> None:
        with open(count_file, "w", encoding="utf-8") as handle:
            json.dump(tally, handle)

    # Written at exit (and when the budget refuses), not per request: opening a file for every
    # request was a tenth of a contract run. A run killed outright leaves the last flush.
    import atexit
    atexit.register(lambda: record())
    flush_every = 100

    def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        if own_url and str(request.url).startswith(own_url):
            return original(self, request, *args, **kwargs)
        with lock:
            if budget and tally["sent"] >= budget:
                tally["refused"] += 1
                record()
                raise RequestBudgetExhausted(f"request budget of {budget} spent; "
                                             f"{request.method} {request.url} not sent")
            tally["sent"] += 1
            if tally["sent"] % flush_every == 1:
                record()
        return original(self, request, *args, **kwargs)

    # Patching the class is the point (every request schemathesis sends goes through it); mypy
    # flags any assignment to a method (method-assign).
    requests.adapters.HTTPAdapter.send = send  # type: ignore[method-assign]


_install_budget()


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    """Against a served twin: an accepted create, action or delete is let finish (virtual time
    passes), as `Contract.after_call` does in-process, so `use_after_free` sees deletes done."""
    import os

    from .contract import SETTLE_ENV

    settle = os.environ.get(SETTLE_ENV)
    if not settle or case.method.upper() not in ("POST", "DELETE") or not 200 <= response.status_code < 300:
        return
    import requests

    admin_url, seconds = settle.rsplit(" ", 1)
    requests.post(admin_url.rstrip("/") + "/clock/advance", json={"seconds": float(seconds)}, timeout=10)
