"""A chaos campaign: serve a twin, run the user's command against it under seeded faults, and
when it fails, shrink the faults that fired to a minimal set that still fails.

Every fired fault is journaled with its rule and `nth` (which match of the rule it was), so
`{match: <the rule's>, schedule: {mode: nth, n: nth}}` fires on that very request again: the
shrunk set replays deterministically, from the seed, with no probability left in it.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from ...providers import KNOWN
from ..handle import ServedTwin
from .shrink import ddmin

RULE_FIELDS = ("match", "action", "lifecycle", "description")


@dataclass(frozen=True)
class Fired:
    """One fault that fired during a run: which rule, and which of its matches."""

    rule: Mapping[str, Any]  # as GET /_twin/faults lists it
    nth: int
    where: str  # what it hit, for people: "GET /barrack/api/v1/instances/ (503)"

    def replay_rule(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": f"{self.rule['id']}-{self.nth}"}
        out.update({k: self.rule[k] for k in RULE_FIELDS if self.rule.get(k)})
        window = (self.rule.get("schedule") or {}).get("window")
        out["schedule"] = {"mode": "nth", "n": self.nth, **({"window": window} if window else {})}
        return out


@dataclass
class RunResult:
    exit_status: int
    fired: list[Fired]
    output: str
    journal: list[dict[str, Any]]


def environment(served: ServedTwin) -> dict[str, str]:
    """Where the command finds the twin: CLOUDTWIN_URL, and per provider its base URL(s), the default
    account's credentials (CLOUDTWIN_RACKSPACE_USERNAME, …) and a ready token (CLOUDTWIN_<P>_TOKEN)."""
    env = {"CLOUDTWIN_URL": served.url, "CLOUDTWIN_ADMIN_URL": served.url + "/_twin"}
    for name, provider in served.twin.providers.items():
        upper = name.upper()
        env[f"CLOUDTWIN_{upper}_URL"] = served.base_url(name)
        for label in provider.base_paths:
            if label == name:
                continue  # the one base URL, already CLOUDTWIN_<P>_URL
            env[f"CLOUDTWIN_{upper}_{label.upper().replace('-', '_')}_URL"] = served.base_url(name, label)
        default = served.twin.store.accounts.get("default")
        for field, value in ((default.credentials.get(name) or {}) if default else {}).items():
            if isinstance(value, (str, int)):  # username, api_key, tenant_id, … as the client would hold them
                env[f"CLOUDTWIN_{upper}_{field.upper()}"] = str(value)
        if provider.client_token is not None:
            env[f"CLOUDTWIN_{upper}_TOKEN"] = served.token(name)
    return env


def run_once(command: Sequence[str], rules: Sequence[Mapping[str, Any]], *, seed: int | str,
             timeout: float = 120.0) -> RunResult:
    """A fresh twin (this seed, a running clock), these fault rules, the command once."""
    served = ServedTwin(seed=seed, freeze=False)
    try:
        for rule in rules:
            served.add_fault(**rule)
        env = {**os.environ, **environment(served)}
        try:
            done = subprocess.run(list(command), env=env, capture_output=True, text=True, timeout=timeout)
            status, output = done.returncode, (done.stdout + done.stderr)[-4000:]
        except subprocess.TimeoutExpired:
            status, output = 124, f"the command did not finish within {timeout:g}s"
        listed = {r["id"]: r for r in served.admin("GET", "/faults")["faults"]}
        journal = served.journal(limit=10000)
        fired = []
        for entry in (e for e in journal if e.get("fault")):
            fault = entry["fault"]
            rule = listed.get(fault["rule"])
            if rule is None:
                continue
            where = (f"{entry.get('method')} {entry.get('path')} ({fault['kind']})" if entry.get("method")
                     else f"{(fault.get('resource') or {}).get('kind')} {fault.get('state')} (lifecycle)")
            fired.append(Fired(rule, int(fault.get("nth") or 0), where))
        return RunResult(status, fired, output, journal)
    finally:
        served.close()


@dataclass
class Campaign:
    command: Sequence[str]
    seed: int | str
    timeout: float = 120.0
    max_runs: int = 64
    say: Callable[[str], None] = print

    runs: int = 0

    def first(self, rules: Sequence[Mapping[str, Any]]) -> RunResult:
        return self._run(rules)

    def reproduces(self, fired: Sequence[Fired]) -> bool:
        return self._run([f.replay_rule() for f in fired]).exit_status != 0

    def shrink(self, fired: Sequence[Fired]) -> list[Fired]:
        def fails(subset: list[Fired]) -> bool:
            if self.runs >= self.max_runs:
                return False  # out of budget: keep what is known to fail
            failed = self.reproduces(subset)
            self.say(f"  {'fails' if failed else 'passes'} with {len(subset)} fault(s)")
            return failed

        return ddmin(list(fired), fails)

    def _run(self, rules: Sequence[Mapping[str, Any]]) -> RunResult:
        self.runs += 1
        return run_once(self.command, rules, seed=self.seed, timeout=self.timeout)


def scenario_document(fired: Sequence[Fired], *, seed: int | str, profile: str, command: Sequence[str],
                      exit_status: int) -> dict[str, Any]:
    """The minimal faults as a scenario: `cloudtwin chaos --scenario FILE -- COMMAND` replays them."""
    providers = [f.rule.get("match", {}).get("provider") for f in fired]
    # A scenario names a default provider; a profile whose rules name none runs under the first known.
    provider = next((p for p in providers if p), None) or next(iter(KNOWN))
    shown = " ".join(command)
    return {
        "name": f"chaos: {len(fired)} fault(s) that make `{shown}` fail",
        "provider": provider,
        "description": (f"Found by `cloudtwin chaos --profile {profile} --seed {seed}` and shrunk to a minimal set; "
                        f"the command exited {exit_status}. Replay: cloudtwin chaos --scenario <this file> -- {shown}. "
                        "Faults: " + "; ".join(f.where for f in fired)),
        "seed": seed,
        "tags": ["chaos"],
        "setup": {"freeze": False},
        "steps": [{"fault": f.replay_rule()} for f in fired],
    }
