"""Small Barrack clients, deliberately good and bad at surviving a failing cloud.

One `Client` with a `Policy`: whether it honours Retry-After, how it backs off, how many times
it tries, and what it does when a create's answer is lost (retry blindly, or look first).
Transports: in-process (a TwinHandle; a severed connection arrives as the twin's 502 marker)
or HTTP (requests against a served twin). `sleep` is `time.sleep` unless given.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import requests

from cloudtwin.engine.connection import IN_PROCESS_HEADER


class Lost(Exception):
    """The connection ended with no answer."""


class GaveUp(Exception):
    pass


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


class InProcess:
    def __init__(self, handle: Any, provider: str = "barrack", account: str = "default") -> None:
        self.handle, self.provider, self.account = handle, provider, account

    def __call__(self, method: str, path: str, body: Any = None) -> Answer:
        result = self.handle.request(method, self.provider, path, account=self.account, json=body)
        if result.headers.get(IN_PROCESS_HEADER):
            raise Lost(result.headers[IN_PROCESS_HEADER])
        return Answer(result.status_code, dict(result.headers), result.get_json(silent=True))


class OverHttp:
    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        self.base_url, self.headers = base_url, headers
        self.session = requests.Session()

    def __call__(self, method: str, path: str, body: Any = None) -> Answer:
        try:
            result = self.session.request(method, self.base_url + path, json=body, headers=self.headers, timeout=10)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise Lost(str(exc)) from None
        try:
            parsed = result.json()
        except ValueError:
            parsed = None
        return Answer(result.status_code, dict(result.headers), parsed)


@dataclass
class Policy:
    honour_retry_after: bool = True
    backoff: str = "exponential"  # exponential | constant
    base: float = 30.0  # seconds before the first retry
    cap: float = 120.0  # the exponential stops growing here (before jitter)
    jitter: bool = True
    max_attempts: int = 6
    reconcile: bool = True  # after a lost create, look for the resource before creating again
    scale: float = 1.0  # every wait is multiplied by this (a served run with shortened real waits)


# The four clients of the tests.
DOES_IT_RIGHT = Policy()
IGNORES_RETRY_AFTER = Policy(honour_retry_after=False)
NO_BACKOFF = Policy(backoff="constant", base=1.0, jitter=False, max_attempts=30)
BLIND_CREATE_RETRIES = Policy(reconcile=False)


@dataclass
class Client:
    send: Callable[[str, str, Any], Answer]
    policy: Policy = field(default_factory=Policy)
    # Looked up at each call, so a patched `time.sleep` (the clock fixture) is the one used.
    sleep: Callable[[float], None] = field(default=lambda seconds: time.sleep(seconds))
    seed: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def wait_before(self, attempt: int, answer: Answer | None) -> float:
        policy = self.policy
        retry_after = answer.headers.get("Retry-After") if answer is not None else None
        if policy.backoff == "exponential":
            wait = min(policy.cap, policy.base * 2 ** (attempt - 1))
            if policy.jitter:
                wait *= 1 + self.rng.random() / 2  # up to +50 %: never below the exponential floor
        else:
            wait = policy.base
        if policy.honour_retry_after and retry_after is not None:
            wait = max(wait, float(retry_after))
        return wait * policy.scale

    def call(self, method: str, path: str, body: Any = None, *, recover: Callable[[], Answer | None] | None = None
             ) -> Answer:
        """One logical call, retried on 429/5xx/lost answers as the policy says."""
        answer: Answer | None = None
        for attempt in range(1, self.policy.max_attempts + 1):
            if attempt > 1:
                self.sleep(self.wait_before(attempt - 1, answer))
            try:
                answer = self.send(method, path, body)
            except Lost:
                answer = None
                if recover is not None:
                    found = recover()
                    if found is not None:
                        return found
                continue
            if answer.status == 429 or answer.status >= 500:
                continue
            return answer
        raise GaveUp(f"{method} {path}: gave up after {self.policy.max_attempts} attempts")

    # Barrack ------------------------------------------------------------------------------
    def deploy(self, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        body = {"name": name, **spec}
        recover = (lambda: self._find_instance(name)) if self.policy.reconcile else None
        counter = iter(range(1, 1000))

        def fresh() -> dict[str, Any]:
            # A blind client makes up a new name per attempt (as SDKs with generated names do),
            # so the provider's name check cannot save it from itself.
            return body if self.policy.reconcile else {**body, "name": f"{name}-{next(counter)}"}

        answer: Answer | None = None
        for attempt in range(1, self.policy.max_attempts + 1):
            if attempt > 1:
                self.sleep(self.wait_before(attempt - 1, answer))
            try:
                answer = self.send("POST", "/instances/", fresh())
            except Lost:
                answer = None
                if recover is not None:
                    found = recover()
                    if found is not None:
                        return found.body
                continue
            if answer.status == 429 or answer.status >= 500:
                continue
            if answer.status != 201:
                raise AssertionError(f"deploy refused: {answer.status} {answer.body}")
            return answer.body["deployment"]["instance"]
        raise GaveUp(f"deploy {name}: gave up")

    def _find_instance(self, name: str) -> Answer | None:
        listing = self.call("GET", "/instances/")
        for instance in listing.body.get("instances", []):
            if instance["name"] == name:
                return Answer(200, {}, instance)
        return None
