"""The control plane under `/_twin`: clock, accounts, faults, journal, state.

It is mounted like a provider API (spec `twin-admin.yaml`, handlers by operationId) but
belongs to the engine and works on the twin as a whole.
"""

from __future__ import annotations

import hmac
import json
import re
from typing import Any

from .. import __version__
from .clock import parse_duration, parse_iso
from .contract_profile import Profile as ContractProfile
from .errors import ApiError, ResolvedError
from .fixtures import merge
from .ratelimit import RateLimiter
from .provider import Api, Call, Context, Handlers, Provider, Rendered, Reply, RequestInfo
from .store import Account
from .twin import StateError

ADMIN = "_twin"
# A whole exported state comes back through PUT /_twin/state: far more than a provider call.
STATE_BODY_LIMIT = 512 * 1024 * 1024
handlers = Handlers()


@handlers("getHealth")
def get_health(call: Call) -> dict[str, Any]:
    twin = call.twin
    return {"status": "ok", "version": __version__, "seed": twin.seed,
            "providers": sorted(twin.providers), "clock": twin.clock.describe()}


@handlers("listAccounts")
def list_accounts(call: Call) -> dict[str, Any]:
    return {"accounts": [a.describe() for a in call.twin.store.accounts.values()]}


@handlers("createAccount")
def create_account(call: Call) -> dict[str, Any]:
    body = call.body or {}
    if body.get("id") in call.twin.store.accounts:
        raise ApiError("conflict", f"Account {body['id']} exists.")
    for provider, fields in (body.get("credentials") or {}).items():
        for name, value in fields.items():  # a taken token would log its owner's clients in as this account
            if call.twin.store.account_by_credential(provider, name, str(value)) is not None:
                raise ApiError("conflict", f"Another account already uses this {provider} {name}.")
    return call.twin.add_account(body).describe()


@handlers("resetTwin")
def reset_twin(call: Call) -> None:
    call.twin.reset(reset_clock=bool((call.body or {}).get("clock")))


def _clock(call: Call, applied: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = call.twin.clock.describe()
    if applied is not None:
        out["applied_events"] = applied
    return out


def _instant(text: str) -> float:
    try:
        return parse_iso(text)
    except ValueError:
        raise ApiError("invalid_request", f"Not an ISO-8601 instant: {text!r}.") from None


@handlers("getClock")
def get_clock(call: Call) -> dict[str, Any]:
    return _clock(call)


@handlers("freezeClock")
def freeze_clock(call: Call) -> dict[str, Any]:
    twin = call.twin
    at = (call.body or {}).get("at")
    applied = 0
    if at is not None:
        target = _instant(at)
        if target < twin.clock.now():
            raise ApiError("invalid_request", "The virtual clock cannot move backwards.")
        twin.clock.freeze(target)
        applied = twin.drain()
    else:
        twin.clock.freeze()
    return _clock(call, applied)


@handlers("unfreezeClock")
def unfreeze_clock(call: Call) -> dict[str, Any]:
    call.twin.clock.unfreeze()
    return _clock(call)


@handlers("setClock")
def set_clock(call: Call) -> dict[str, Any]:
    try:
        applied = call.twin.set_time(_instant(call.body["now"]))
    except ValueError as exc:
        raise ApiError("invalid_request", str(exc)) from None
    return _clock(call, applied)


MAX_ADVANCE_SECONDS = 315360000  # the spec's maximum for `seconds`, also applied to `duration`


@handlers("advanceClock")
def advance_clock(call: Call) -> dict[str, Any]:
    body = call.body
    seconds = float(body["seconds"]) if "seconds" in body else parse_duration(body["duration"])
    if seconds > MAX_ADVANCE_SECONDS:  # a `duration` can spell more than `seconds` allows; past year 9999 nothing renders
        raise ApiError("invalid_request", f"The clock moves at most {MAX_ADVANCE_SECONDS} s (ten years) per call.")
    return _clock(call, call.twin.advance(seconds))


@handlers("listFaults")
def list_faults(call: Call) -> dict[str, Any]:
    return {"faults": [r.to_dict() for r in call.twin.faults.rules()]}


@handlers("addFault")
def add_fault(call: Call) -> dict[str, Any]:
    faults = call.twin.faults
    if call.body.get("id") and any(r.id == call.body["id"] for r in faults.rules()):
        raise ApiError("conflict", f"A fault rule with id {call.body['id']} exists.")
    try:
        return faults.add(call.body).to_dict()
    except (ValueError, TypeError, re.error) as exc:  # re.error: a `match.path` that is no regular expression
        raise ApiError("invalid_request", str(exc)) from None


@handlers("getFault")
def get_fault(call: Call) -> dict[str, Any]:
    for rule in call.twin.faults.rules():
        if rule.id == call.path["fault_id"]:
            return rule.to_dict()
    raise ApiError("not_found", f"No fault rule {call.path['fault_id']}.")


@handlers("deleteFault")
def delete_fault(call: Call) -> None:
    if not call.twin.faults.remove(call.path["fault_id"]):
        raise ApiError("not_found", f"No fault rule {call.path['fault_id']}.")


@handlers("clearFaults")
def clear_faults(call: Call) -> None:
    call.twin.faults.clear()


@handlers("getJournal")
def get_journal(call: Call) -> dict[str, Any]:
    query = dict(call.query)
    limit = int(query.pop("limit", 100))
    for flag in ("fault", "unmatched"):  # true: only entries that have one; false: no filter
        if flag in query:
            query[flag] = "true" if query[flag] else None
    journal = call.twin.journal
    return {"last_seq": journal.last_seq, "entries": journal.query(query, limit)}


@handlers("clearJournal")
def clear_journal(call: Call) -> None:
    call.twin.journal.clear()


@handlers("exportState")
def export_state(call: Call) -> dict[str, Any]:
    return call.twin.export_state()


@handlers("importState")
def import_state(call: Call) -> None:
    try:
        call.twin.import_state(call.body)
    except StateError as exc:  # the twin checked the whole document first: nothing changed
        raise ApiError("invalid_request", f"State not imported, nothing changed: {exc}") from None


@handlers("getRateLimits")
def get_rate_limits(call: Call) -> dict[str, Any]:
    return call.twin.rate_limiters[_provider(call).name].describe()


@handlers("setRateLimits")
def set_rate_limits(call: Call) -> dict[str, Any]:
    twin = call.twin
    name = _provider(call).name
    config = merge(twin.fixtures[name].get("rate_limits") or {}, call.body)
    try:
        limiter = RateLimiter(config)
    except (KeyError, ValueError) as exc:
        raise ApiError("invalid_request", f"Not a usable rate limit: {exc}") from None
    twin.fixtures[name] = {**twin.fixtures[name], "rate_limits": config}
    twin.rate_limiters[name] = limiter
    return limiter.describe()


@handlers("listProviderActions")
def list_provider_actions(call: Call) -> dict[str, Any]:
    provider = _provider(call)
    return {"provider": provider.name, "actions": sorted(provider.admin_actions)}


@handlers("runProviderAction")
def run_provider_action(call: Call) -> Any:
    provider = _provider(call)
    action = provider.admin_actions.get(call.path["action"])
    if action is None:
        raise ApiError("not_found", f"{provider.name} has no action {call.path['action']}.")
    arguments = dict(call.body or {})
    account_id = arguments.pop("account", None)
    store = call.twin.store
    if account_id is not None and account_id not in store.accounts:
        raise ApiError("not_found", f"No account {account_id}.")
    account = store.accounts[account_id] if account_id else next(iter(store.accounts.values()), None)
    try:
        result = action(Context(call.twin, provider.name, account, call.now), arguments)
    except (KeyError, TypeError, ValueError) as exc:
        raise ApiError("invalid_request", f"{call.path['action']}: {exc}") from None
    return {"result": result}


def _provider(call: Call) -> Provider:
    provider = call.twin.providers.get(call.path["provider"])
    if provider is None:
        raise ApiError("not_found", f"No provider {call.path['provider']}.")
    return provider


def _render(error: ResolvedError, info: RequestInfo) -> Rendered:
    body = {"error": {"code": error.code or error.key, "message": error.message}}
    return Rendered(json.dumps(body).encode(), "application/json")


def admin_provider(admin_token: str | None = None) -> Provider:
    """The control plane; with a token, every call but health must present it."""

    def authenticate(info: RequestInfo, ctx: Context) -> Account:
        if admin_token:
            given = info.headers.get("authorization", "")
            # Constant-time: the admin token guards a twin listening beyond loopback.
            if not hmac.compare_digest(given.encode(), f"Bearer {admin_token}".encode()):
                raise ApiError("unauthorized")
        return Account(id=ADMIN, name="twin operator")

    api = Api(name="twin-admin", spec_file="twin-admin.yaml", handlers=handlers,
              authenticate=authenticate, render_error=_render, spec_route="/openapi.yaml",
              faultable=False, max_body_bytes=STATE_BODY_LIMIT)
    return Provider(name=ADMIN, apis=[api], contract_profiles=_contract_profiles)


def _contract_profiles() -> list[ContractProfile]:
    from .admin_contract import PROFILES  # it names ADMIN: imported when asked for, not with this module

    return PROFILES


__all__ = ["admin_provider", "ADMIN", "Reply"]

# The dashboard's read side lives in its own module and registers on these handlers.
from . import inspect as _inspect  # noqa: E402,F401
