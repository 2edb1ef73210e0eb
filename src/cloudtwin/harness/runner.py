"""Run a scenario's steps, in order, against a target; stop at the first failure."""

from __future__ import annotations

import json
import re
import time
import weakref
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Mapping

from .matching import Mismatch, check_body, check_headers, select, MISSING
from .scenario import Scenario, Step
from .targets import Response, Target, TargetError, TwinTarget, seconds

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class StepFailure(Exception):
    def __init__(self, message: str, mismatches: list[Mismatch] | None = None,
                 exchange: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.mismatches = mismatches or []
        self.exchange = exchange or {}


@dataclass
class StepResult:
    step: Step
    outcome: str  # passed | failed | skipped
    real_ms: float
    virtual_s: float
    detail: str = ""
    mismatches: list[Mismatch] = field(default_factory=list)
    exchange: dict[str, Any] = field(default_factory=dict)
    # Where the step sits on the twin's timeline (replay reports): the virtual instant it began,
    # and the journal's last sequence number before it (its requests come after).
    virtual_at: float = 0.0
    journal_seq: int | None = None


@dataclass
class ScenarioResult:
    scenario: Scenario
    steps: list[StepResult]
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(s.outcome != "failed" for s in self.steps)


def build_twin_target(scenario: Scenario) -> TwinTarget:
    """A fresh in-process twin for this scenario: its seed, its fixtures, a frozen clock.

    Built once per process, then handed out as a restored copy of the state a setup gives
    (`prebuilt`); fixture overrides are part of that state, not a build of their own (the twin
    takes them with `use_overrides`, its app stays). The target gives the twin back when it is
    closed or collected."""
    from ..app import build_twin
    from . import prebuilt

    fixtures = scenario.setup.get("fixtures") or {}
    freeze = scenario.setup.get("freeze", True)
    accounts = scenario.setup.get("accounts") or []
    state_key = prebuilt.options_key(scenario.seed, freeze, accounts, fixtures)
    twin, app, release = prebuilt.acquire(prebuilt.options_key("scenario"), state_key, scenario.seed,
                                          lambda seed: build_twin(seed=seed, overrides=dict(fixtures)),
                                          lambda twin: _set_up(twin, freeze, accounts),
                                          prepare=lambda twin: twin.use_overrides(fixtures))
    target = TwinTarget(twin, app)
    target.close = weakref.finalize(target, release)  # type: ignore[method-assign]
    return target


def _set_up(twin: Any, freeze: bool | str, accounts: list[Any]) -> None:
    from ..engine.clock import parse_iso

    if isinstance(freeze, str):
        twin.clock.freeze(parse_iso(freeze))
    elif freeze:
        twin.clock.freeze()
    for account in accounts:
        twin.add_account(account)


class Runner:
    def __init__(self, scenario: Scenario, target: Target, *, skip_twin_steps: bool = False) -> None:
        self.scenario = scenario
        self.target = target
        self.skip_twin_steps = skip_twin_steps
        self.vars: dict[str, Any] = dict(scenario.vars)
        self.provider = scenario.provider  # the current step's provider: one scenario may drive several
        # What the last answer asked the client to wait before calling again (a 429's or 503's
        # Retry-After), in seconds: `wait_until` waits at least that before its next poll.
        self._asked_to_wait = 0.0
        # What the current step's answers took that an in-process twin reported instead of
        # waiting (latency, drip), in seconds: part of the step's real time all the same.
        self._reported_delay = 0.0

    def run(self) -> ScenarioResult:
        results: list[StepResult] = []
        if not self.target.is_twin and not self.skip_twin_steps:
            refused = [s for s in self.scenario.steps if s.twin_only]
            if refused:
                names = ", ".join(f"step {s.index} ({s.kind})" for s in refused)
                return ScenarioResult(self.scenario, [], error=f"only a twin can run {names}; "
                                                                "pass --skip-twin-steps to skip them")
        for step in self.scenario.steps:
            virtual_before = self._virtual_now()
            seq_before = self._journal_seq()
            started = time.perf_counter()
            self._reported_delay = 0.0
            if step.twin_only and not self.target.is_twin:
                results.append(StepResult(step, "skipped", 0.0, 0.0, "twin-only step"))
                continue
            self.provider = str(step.spec.get("provider") or self.scenario.provider)
            try:
                detail, exchange = self._run(step)
                outcome, mismatches = "passed", []
            except StepFailure as failure:
                detail, exchange, outcome, mismatches = str(failure), failure.exchange, "failed", failure.mismatches
            elapsed = (time.perf_counter() - started + self._reported_delay) * 1000
            results.append(StepResult(step, outcome, elapsed, self._virtual_now() - virtual_before, detail,
                                      mismatches, exchange, virtual_before, seq_before))
            if outcome == "failed":
                break
        return ScenarioResult(self.scenario, results)

    # Steps ---------------------------------------------------------------------------
    def _run(self, step: Step) -> tuple[str, dict[str, Any]]:
        spec = step.spec
        kind = step.kind
        if kind == "request":
            response, exchange = self._request(spec["request"])
            self._expect(spec.get("expect"), response, exchange)
            self._save(spec.get("save"), response, exchange)
            return f"{response.status}", exchange
        if kind == "wait_until":
            return self._wait_until(spec["wait_until"])
        if kind == "advance":
            return self._admin("POST", "/clock/advance", {"seconds": seconds(self._sub(spec["advance"]))}), {}
        if kind == "set":
            return self._admin("POST", "/clock/set", {"now": self._sub(spec["set"])}), {}
        if kind == "freeze":
            value = spec["freeze"]
            if value is False:
                return self._admin("POST", "/clock/unfreeze", None), {}
            return self._admin("POST", "/clock/freeze", {"at": value} if isinstance(value, str) else None), {}
        if kind == "fault":
            return self._admin("POST", "/faults", self._sub(spec["fault"])), {}
        if kind == "faults":
            return self._admin("DELETE", "/faults", None), {}
        if kind == "expect_journal":
            return self._expect_journal(spec["expect_journal"]), {}
        if kind == "expect_verdict":  # the resilience verdicts (harness/verdicts) over the journal so far
            from .verdicts.step import expect_verdict
            return expect_verdict(self, spec["expect_verdict"]), {}
        if kind == "action":  # a provider's operator action, e.g. a credit top-up
            action = self._sub(spec["action"])
            path = f"/providers/{self._known(self.provider)}/actions/{action['name']}"
            return self._admin("POST", path, action.get("arguments") or {}), {}
        raise StepFailure(f"unknown step kind {kind}")

    def _request(self, raw: Mapping[str, Any]) -> tuple[Response, dict[str, Any]]:
        spec = self._sub(dict(raw))
        provider = self._known(spec.get("provider") or self.provider)
        headers: dict[str, str] = {}
        auth = spec.get("auth", True)
        try:
            if auth is True:
                headers.update(self.target.auth_headers(provider, spec.get("as")))
            elif isinstance(auth, str):
                headers.update(_with_token(self.target.auth_headers(provider), auth))
            url = self.target.base(provider, spec.get("api")) + spec["path"]
        except TargetError as error:
            raise StepFailure(str(error)) from None
        headers.update(spec.get("headers") or {})
        body: bytes | None = None
        if "raw_body" in spec:
            body = spec["raw_body"].encode()
        elif "body" in spec:
            body = json.dumps(spec["body"]).encode()
            headers.setdefault("Content-Type", "application/json")
        response = self.target.request(spec["method"], url, headers=headers, query=spec.get("query"), body=body)
        self._reported_delay += response.delay
        self._asked_to_wait = retry_after_seconds(response)
        exchange = {"request": {"method": spec["method"], "url": url, "query": spec.get("query"),
                                "headers": headers, "body": spec.get("body", spec.get("raw_body"))},
                    "response": {"status": response.status, "headers": response.headers,
                                 "body": response.json() if response.json() is not None else response.text,
                                 "error": response.error}}
        return response, exchange

    def _expect(self, expect: Mapping[str, Any] | None, response: Response, exchange: dict[str, Any]) -> None:
        problems = self._mismatches(expect, response)
        if problems:
            exchange["expect"] = self._sub(dict(expect or {}))
            raise StepFailure("expectation not met", problems, exchange)

    def _mismatches(self, expect: Mapping[str, Any] | None, response: Response) -> list[Mismatch]:
        if not expect:
            # No expectation still means an answer: a request that got none is not a pass.
            return [Mismatch("connection", "an answer", response.error)] if response.error else []
        expect = self._sub(dict(expect))
        problems: list[Mismatch] = []
        if "error" in expect or response.error:
            problems += check_body(response.error, {"$": expect.get("error")} if "error" in expect else {"$": None})
            if response.error:
                return [Mismatch(f"connection ({m.where})", m.expected, m.actual) for m in problems]
        status = expect.get("status")
        if status is not None:
            allowed = status if isinstance(status, list) else [status]
            if response.status not in allowed:
                problems.append(Mismatch("status", status, response.status))
        if "headers" in expect:
            problems += check_headers(response.headers, expect["headers"])
        body = response.json()
        if "body" in expect:
            problems += check_body(body, expect["body"])
        if "schema" in expect:
            problems += check_body(body, {"schema": expect["schema"]})
        return problems

    def _save(self, save: Mapping[str, str] | None, response: Response, exchange: dict[str, Any]) -> None:
        for name, selector in (save or {}).items():
            if selector.startswith("header:"):
                lowered = {k.lower(): v for k, v in response.headers.items()}
                value = lowered.get(selector[7:].strip().lower(), MISSING)
            else:
                value = select(response.json(), selector)
            if value is MISSING:
                raise StepFailure(f"cannot save {name}: {selector} is absent from the response", exchange=exchange)
            self.vars[name] = value

    def _wait_until(self, spec: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """Poll as a well-behaved client does: never sooner than a Retry-After it was given
        (by this poll or the step before), and `interval` apart (virtual time on a twin)."""
        timeout = seconds(spec.get("timeout", "10m"))
        interval = seconds(spec.get("interval", "10s"))
        waited = 0.0
        polls = 0
        while True:
            if self._asked_to_wait > 0:
                self.target.pause(self._asked_to_wait)
                waited += self._asked_to_wait
                self._asked_to_wait = 0.0
            response, exchange = self._request(spec["request"])
            polls += 1
            problems = self._mismatches(spec["expect"], response)
            if not problems:
                return f"matched after {polls} polls ({waited:g}s)", exchange
            if waited >= timeout:
                exchange["expect"] = self._sub(dict(spec["expect"]))
                raise StepFailure(f"still not matching after {waited:g}s ({polls} polls)", problems, exchange)
            pause = max(interval, self._asked_to_wait)
            self._asked_to_wait = 0.0
            self.target.pause(pause)
            waited += pause

    def _expect_journal(self, spec: Mapping[str, Any]) -> str:
        query = {k: v for k, v in self._sub(dict(spec.get("filter") or {})).items()}
        query.setdefault("provider", self.provider)
        query["limit"] = 10000
        entries = json.loads(self._admin_raw("GET", "/journal", None, query).text)["entries"]
        problems: list[Mismatch] = []
        if "count" in spec:
            problems += check_body(len(entries), spec["count"])
        if "statuses" in spec:
            problems += check_body([e["status"] for e in entries], spec["statuses"])
        if spec.get("respects_retry_after"):
            problems += _retry_after_violations(entries)
        if problems:
            raise StepFailure("journal expectation not met", [Mismatch(f"journal {m.where}", m.expected, m.actual)
                                                              for m in problems],
                              {"journal": [{k: e.get(k) for k in ("seq", "at", "method", "path", "status", "fault")}
                                           for e in entries]})
        return f"{len(entries)} journal entries match"

    # Helpers -------------------------------------------------------------------------
    def _admin(self, method: str, path: str, body: Any) -> str:
        response = self._admin_raw(method, path, body, None)
        return f"{method} /_twin{path} -> {response.status}"

    def _admin_raw(self, method: str, path: str, body: Any, query: Mapping[str, Any] | None) -> Response:
        response = self.target.admin(method, path, body, query)
        if response.status >= 400:
            raise StepFailure(f"the twin refused {method} /_twin{path}: {response.status} {response.text}")
        return response

    def _known(self, provider: str) -> str:
        """A step may name any provider; one the twin does not serve is the step's failure, not a crash."""
        if isinstance(self.target, TwinTarget) and provider not in self.target.twin.providers:
            raise StepFailure(f"no provider {provider!r} on this twin (it serves {', '.join(self.target.twin.providers)})")
        return provider

    def _virtual_now(self) -> float:
        return float(self.target.twin.clock.now()) if isinstance(self.target, TwinTarget) else time.time()

    def _journal_seq(self) -> int | None:
        return self.target.twin.journal.last_seq if isinstance(self.target, TwinTarget) else None

    def _sub(self, value: Any) -> Any:
        """Substitute ${var} in every string; a string that is only `${var}` keeps the value's type."""
        if isinstance(value, str):
            whole = _VAR.fullmatch(value)
            if whole:
                return self._var(whole.group(1))
            return _VAR.sub(lambda m: str(self._var(m.group(1))), value)
        if isinstance(value, list):
            return [self._sub(v) for v in value]
        if isinstance(value, dict):
            return {self._sub(k): self._sub(v) for k, v in value.items()}
        return value

    def _var(self, name: str) -> Any:
        if name not in self.vars:
            raise StepFailure(f"variable ${{{name}}} is not set (save it from an earlier step)")
        return self.vars[name]


def _with_token(headers: Mapping[str, str], token: str) -> dict[str, str]:
    """The provider's auth header shape, with another token in it."""
    out = {}
    for name, value in headers.items():
        parts = value.split(" ")
        out[name] = " ".join(parts[:-1] + [token]) if len(parts) > 1 else token
    return out


def retry_after_seconds(response: Response) -> float:
    """A 429's or 503's Retry-After in seconds (delta-seconds or an HTTP date, RFC 9110 10.2.3); else 0."""
    if response.status not in (429, 503):
        return 0.0
    headers = {k.lower(): v for k, v in response.headers.items()}
    value = headers.get("retry-after", "").strip()
    if not value:
        return 0.0
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
        now = parsedate_to_datetime(headers["date"]) if "date" in headers else None
    except (TypeError, ValueError, IndexError):
        return 0.0
    return max(0.0, (when - now).total_seconds()) if now is not None else 0.0


def _retry_after_violations(entries: list[dict[str, Any]]) -> list[Mismatch]:
    """Each request after a 429 must come no sooner (wall clock) than its Retry-After."""
    problems = []
    for previous, current in zip(entries, entries[1:]):
        retry_after = previous.get("retry_after")
        if previous["status"] == 429 and retry_after is not None:
            # A client may wait in real time, or (against a twin) let virtual time pass.
            waited = max(current["wall"] - previous["wall"], current["epoch"] - previous["epoch"])
            if waited + 0.05 < float(retry_after):
                problems.append(Mismatch(f"request {current['seq']}", f">= {retry_after}s after a 429",
                                         f"{waited:.2f}s"))
    return problems
