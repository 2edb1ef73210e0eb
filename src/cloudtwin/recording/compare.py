"""`cloudtwin drift SCENARIO --base-url URL`: the twin's and a real endpoint's answers to the
same scenario, side by side, step by step.

Both runs go through every step: request steps are run without their expectations (an
answer that differs is what we want to see, not a reason to stop); `wait_until` keeps its
own, since it says when polling is over. Per step the report names a different status,
fields one side has and the other lacks, values that differ (enum values and the like),
and, for waits, how long the state took on each side, named by the lifecycle state the
twin's fixtures time.

Values that differ between any two runs (ids, instants, addresses) are not drift: fields
the spec declares `format: uuid`, `date-time`, `ipv4`…, and, given two recordings of the
same session (`--volatile-from A B`), exactly the fields that differed between them;
without recordings, the recorder's shape rules decide.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping
from urllib.parse import urlsplit

from ..harness.runner import Runner, ScenarioResult, StepResult
from ..harness.scenario import Scenario, ScenarioError, Step, load
from ..harness.targets import HttpTarget, TwinTarget
from . import operations
from .observed import singular
from .volatile import VOLATILE_FORMATS, is_volatile

Key = tuple[str, str]  # (method, path template)
TIMING_RATIO = 1.5  # a wait is reported when one side took this much longer …
TIMING_SLACK_S = 2.0  # … and at least this many seconds more


def leaves(body: Any, prefix: str = "$", depth: int = 0) -> Iterator[tuple[str, Any]]:
    """Every scalar with a selector whose list indices are `[*]`."""
    if depth > 8:
        return
    if isinstance(body, dict):
        for key, value in body.items():
            yield from leaves(value, f"{prefix}.{key}", depth + 1)
    elif isinstance(body, list):
        for item in body:
            yield from leaves(item, f"{prefix}[*]", depth + 1)
    else:
        yield prefix, body


def _values(body: Any) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for selector, value in leaves(body):
        out.setdefault(selector, set()).add(json.dumps(value, sort_keys=True))
    return out


class Volatility:
    """Which fields of which call differ between runs."""

    def __init__(self, index: operations.OperationIndex, learned: dict[Key, set[str]] | None = None) -> None:
        self.index = index
        self.learned = learned
        self._matched: dict[Key, operations.Matched] = {}

    @classmethod
    def from_recordings(cls, index: operations.OperationIndex, folders: Iterable[Path]) -> "Volatility":
        runs = [_har_calls(index, json.loads((folder / "session.har").read_text(encoding="utf-8")))
                for folder in folders]
        learned: dict[Key, set[str]] = {}
        for first, second in zip(runs, runs[1:]):
            for key in set(first) & set(second):
                for a, b in zip(first[key], second[key]):
                    va, vb = _values(a), _values(b)
                    learned.setdefault(key, set()).update(s for s in set(va) | set(vb) if va.get(s) != vb.get(s))
        return cls(index, learned)

    def key(self, method: str, url: str) -> Key | None:
        matched = self.index.match(method, urlsplit(url).path)
        if matched is None:
            return None
        self._matched[(method, matched.template)] = matched
        return (method, matched.template)

    def schema(self, key: Key | None, selector: str) -> Mapping[str, Any] | None:
        matched = self._matched.get(key) if key else None
        if matched is None or matched.response_schema is None:
            return None
        return operations.field_schema(matched.document, matched.response_schema, selector)

    def volatile(self, key: Key | None, selector: str, value: Any) -> bool:
        if (self.schema(key, selector) or {}).get("format") in VOLATILE_FORMATS:
            return True  # the spec says it is an id, an instant, an address: never drift as a value
        if self.learned is not None:
            return selector in self.learned.get(key, set()) if key else True
        return is_volatile(selector.rsplit(".", 1)[-1].replace("[*]", ""), value)


def _har_calls(index: operations.OperationIndex, har: Mapping[str, Any]) -> dict[Key, list[Any]]:
    calls: dict[Key, list[Any]] = {}
    for entry in har["log"]["entries"]:
        request, content = entry["request"], entry["response"].get("content", {})
        matched = index.match(request["method"], urlsplit(request["url"]).path)
        if matched is None or entry.get("_fault"):
            continue
        try:
            body = json.loads(content.get("text") or "null")
        except ValueError:
            body = content.get("text")
        calls.setdefault((request["method"], matched.template), []).append(body)
    return calls


def without_expectations(scenario: Scenario) -> Scenario:
    steps = [Step(s.index, s.line, s.kind, {k: v for k, v in s.spec.items() if k != "expect"}) for s in scenario.steps]
    return replace(scenario, steps=steps)


def twin_target(scenario: Scenario, fixtures: Path | None) -> TwinTarget:
    from ..app import build_twin, create_app

    twin = build_twin([scenario.provider], seed=scenario.seed, fixtures=fixtures,
                      overrides=dict(scenario.setup.get("fixtures") or {}))
    twin.clock.freeze()
    return TwinTarget(twin, create_app(twin))


def compare(twin: ScenarioResult, real: ScenarioResult, volatility: Volatility,
            lifecycles: Mapping[str, Any]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    real_steps = {s.step.index: s for s in real.steps}
    for mine in twin.steps:
        theirs = real_steps.get(mine.step.index)
        findings: list[dict[str, Any]] = []
        if theirs is None:
            findings.append({"kind": "not_run", "detail": "the endpoint run stopped before this step"})
        else:
            findings += _answer_findings(mine, theirs, volatility)
            if mine.step.kind == "wait_until":
                findings += _timing_findings(mine, theirs, lifecycles)
            for side, result in (("twin", mine), ("endpoint", theirs)):
                if result.outcome == "failed":
                    findings.append({"kind": "failed", "side": side, "detail": result.detail})
        steps.append({"step": mine.step.index, "title": mine.step.title, "findings": findings,
                      "twin": {"status": _status(mine), "ms": round(mine.real_ms, 1), "virtual_s": mine.virtual_s},
                      "endpoint": {"status": _status(theirs), "ms": round(theirs.real_ms, 1),
                                   "seconds": round(theirs.virtual_s, 3)} if theirs else None})
    return steps


def _status(result: StepResult | None) -> int | None:
    response = (result.exchange or {}).get("response") if result else None
    return response.get("status") if response else None


def _answer_findings(mine: StepResult, theirs: StepResult, volatility: Volatility) -> list[dict[str, Any]]:
    a, b = mine.exchange.get("response"), theirs.exchange.get("response")
    if not a or not b:
        return []
    findings: list[dict[str, Any]] = []
    if a["status"] != b["status"]:
        findings.append({"kind": "status", "twin": a["status"], "endpoint": b["status"]})
        return findings  # two different answers: their fields say nothing more
    request = mine.exchange["request"]
    key = volatility.key(request["method"], request["url"])
    va, vb = _values(a.get("body")), _values(b.get("body"))
    for selector in sorted(set(vb) - set(va)):
        if not _under_volatile_list(key, selector, volatility):
            findings.append({"kind": "missing", "field": selector, "detail": "the endpoint has it, the twin does not"})
    for selector in sorted(set(va) - set(vb)):
        if not _under_volatile_list(key, selector, volatility):
            findings.append({"kind": "extra", "field": selector, "detail": "the twin has it, the endpoint does not"})
    for selector in sorted(set(va) & set(vb)):
        if va[selector] != vb[selector]:
            sample = json.loads(next(iter(vb[selector])))
            if not volatility.volatile(key, selector, sample):
                declared = (volatility.schema(key, selector) or {}).get("enum")
                findings.append({"kind": "enum" if declared else "value", "field": selector,
                                 "twin": sorted(va[selector]), "endpoint": sorted(vb[selector]),
                                 **({"spec_enum": declared} if declared else {})})
    return findings


def _under_volatile_list(key: Key | None, selector: str, volatility: Volatility) -> bool:
    """A field of a list item that only one side's list had items for is the list's business."""
    return "[*]" in selector and volatility.learned is not None and key is not None and any(
        selector.startswith(v) for v in volatility.learned.get(key, set()) if v.endswith("[*]"))


def _timing_findings(mine: StepResult, theirs: StepResult, lifecycles: Mapping[str, Any]) -> list[dict[str, Any]]:
    twin_s, real_s = mine.virtual_s, theirs.virtual_s
    slow, fast = max(twin_s, real_s), min(twin_s, real_s)
    if slow - fast < TIMING_SLACK_S or slow < TIMING_RATIO * max(fast, 0.001):
        return []
    finding = {"kind": "timing", "twin_s": round(twin_s, 1), "endpoint_s": round(real_s, 1),
               "detail": f"the wait took {twin_s:.1f}s on the twin and {real_s:.1f}s on the endpoint"}
    state = _lifecycle_state(mine.step.spec["wait_until"], lifecycles)
    if state:
        finding["lifecycle"] = state
        finding["detail"] += f" (lifecycle {state}: the twin's fixtures say "
        kind, name = state.split(".", 1)
        finding["detail"] += f"{lifecycles[kind][name].get('after')})"
    return [finding]


def _lifecycle_state(wait: Mapping[str, Any], lifecycles: Mapping[str, Any]) -> str | None:
    """The timed state a wait was waiting out: `instance.creating` for `instance.status: active`;
    for a wait that ends in 404, the state that removes the resource."""
    path_kinds = [singular(p) for p in reversed(wait["request"]["path"].split("/")) if p and "$" not in p]
    kinds = {k.lower(): k for k in lifecycles}
    kind = next((kinds[k] for k in path_kinds if k in kinds), None)
    body = (wait.get("expect") or {}).get("body") or {}
    for selector, value in body.items():
        head = singular(selector.split(".")[0])
        kind = kinds.get(head, kind)
        if kind and isinstance(value, str):
            for state, rule in (lifecycles.get(kind) or {}).items():
                if isinstance(rule, Mapping) and rule.get("then") == value:
                    return f"{kind}.{state}"
    if kind and (wait.get("expect") or {}).get("status") == 404:
        for state, rule in (lifecycles.get(kind) or {}).items():
            if isinstance(rule, Mapping) and rule.get("remove"):
                return f"{kind}.{state}"
    return None


def report_text(steps: list[dict[str, Any]], volatile_source: str) -> str:
    lines = [f"drift: twin vs endpoint, step by step (volatile fields: {volatile_source})"]
    total = 0
    for step in steps:
        twin, real = step["twin"], step["endpoint"] or {}
        lines.append(f"  {step['step']:>2}. {step['title']:<56} twin {twin['status']}  endpoint {real.get('status')}")
        for finding in step["findings"]:
            total += 1
            if finding["kind"] in ("value", "enum"):
                text = (f"{finding['field']}: twin {', '.join(finding['twin'])} / "
                        f"endpoint {', '.join(finding['endpoint'])}")
            elif finding["kind"] == "status":
                text = f"status: twin {finding['twin']} / endpoint {finding['endpoint']}"
            else:
                text = " ".join(str(x) for x in (finding.get("field"), finding.get("detail")) if x)
            lines.append(f"      {finding['kind']:<8} {text}")
    lines.append(f"{total} difference(s)")
    return "\n".join(lines)


def drift(args: argparse.Namespace) -> int:
    try:
        scenario = load(Path(args.scenario))
    except ScenarioError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for folder in args.volatile_from or []:
        if not (Path(folder) / "session.har").is_file():
            print(f"error: --volatile-from: {folder} holds no session.har (a `cloudtwin record` folder)",
                  file=sys.stderr)
            return 2
    if args.volatile_from and len(args.volatile_from) < 2:
        print("error: --volatile-from: give two recordings (or more) of the same session", file=sys.stderr)
        return 2
    plain = without_expectations(scenario)
    twin = twin_target(scenario, args.fixtures)
    index = operations.for_provider(twin.twin, scenario.provider)
    try:
        volatility = (Volatility.from_recordings(index, [Path(f) for f in args.volatile_from]) if args.volatile_from
                      else Volatility(index))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        print(f"error: --volatile-from: a session.har is not as `cloudtwin record` writes it "
              f"({type(error).__name__}: {error})", file=sys.stderr)
        return 2
    twin_result = Runner(plain, twin, skip_twin_steps=True).run()
    real_result = Runner(plain, HttpTarget(args.base_url, args.token, args.auth_header),
                         skip_twin_steps=True).run()
    lifecycles = twin.twin.fixtures[scenario.provider].get("lifecycles") or {}
    steps = compare(twin_result, real_result, volatility, lifecycles)
    source = ("learned from " + ", ".join(args.volatile_from) if args.volatile_from
              else "by shape (ids, instants, addresses)")
    print(report_text(steps, source))
    if args.json:
        Path(args.json).write_text(json.dumps({"scenario": scenario.name, "volatile": source, "steps": steps},
                                              indent=1, default=str), encoding="utf-8")
    return 1 if any(s["findings"] for s in steps) else 0


def register(subparsers: Any) -> None:
    d = subparsers.add_parser(
        "drift", help="run a scenario on the twin and on a real endpoint and report where the answers differ",
        description="Side by side, per step: status, fields missing or extra, values (enums), and how long "
                    "each wait took. Exit status 1 when anything differs.")
    d.add_argument("scenario", help="a scenario file (e.g. a recording's scenario.yaml)")
    d.add_argument("--base-url", required=True, help="the real endpoint's API base URL")
    d.add_argument("--token", help="the credential to send to --base-url")
    d.add_argument("--auth-header", default="Authorization: Bearer {token}",
                   help="how the token is sent (default 'Authorization: Bearer {token}')")
    d.add_argument("--volatile-from", nargs="+", metavar="RECORDING",
                   help="two or more recording folders of the same session: the fields that differ between them "
                        "are not drift")
    d.add_argument("--fixtures", type=Path, help="run the twin with this fixtures overlay")
    d.add_argument("--json", help="also write the report as JSON here")
    d.set_defaults(run=drift)


