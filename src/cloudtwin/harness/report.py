"""Scenario results for people (a step per line, failures side by side) and for CI (JUnit XML)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable
from xml.etree import ElementTree as ET

from .runner import ScenarioResult, StepResult

MARKS = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip"}


def text(result: ScenarioResult) -> str:
    scenario = result.scenario
    lines = [f"{'PASS' if result.passed else 'FAIL'} {scenario.name}  ({scenario.path})"]
    if result.error:
        lines.append(f"  error: {result.error}")
    for step in result.steps:
        lines.append(f"  {MARKS[step.outcome]} {step.step.index:>2}. {step.step.title:<60} "
                     f"{step.real_ms:7.1f} ms real  {_virtual(step.virtual_s):>8} virtual  {step.detail}")
        if step.outcome == "failed":
            lines.extend("       " + line for line in failure_detail(step).splitlines())
    return "\n".join(lines)


def failure_detail(step: StepResult) -> str:
    out = [f"at {step.step.spec and step.step.kind} step {step.step.index} (line {step.step.line}): {step.detail}"]
    if step.mismatches:
        out.append("mismatches:")
        out.extend(f"  - {m}" for m in step.mismatches)
    exchange = step.exchange
    if "request" in exchange:
        out.append("request:  " + json.dumps(exchange["request"], default=str))
    if "response" in exchange:
        response = dict(exchange["response"])
        out.append(f"response: {response['status']} " + json.dumps(response.get("body"), default=str)[:2000])
    if "expect" in exchange:
        out.append("expected: " + json.dumps(exchange["expect"], default=str))
    if "journal" in exchange:
        out.append("journal:  " + json.dumps(exchange["journal"], default=str)[:2000])
    return "\n".join(out)


def _virtual(seconds: float) -> str:
    if abs(seconds) < 1e-6:
        return "0s"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.1f}s"


def junit(results: Iterable[ScenarioResult], path: Path) -> None:
    results = list(results)
    suite = ET.Element("testsuite", name="cloudtwin scenarios", tests=str(len(results)),
                       failures=str(sum(not r.passed for r in results)))
    for result in results:
        case = ET.SubElement(suite, "testcase", classname=result.scenario.provider, name=result.scenario.name,
                             file=str(result.scenario.path),
                             time=f"{sum(s.real_ms for s in result.steps) / 1000:.3f}")
        if not result.passed:
            failure = ET.SubElement(case, "failure", message=result.error or "step failed")
            failure.text = text(result)
        skipped = [s for s in result.steps if s.outcome == "skipped"]
        if skipped and result.passed:
            ET.SubElement(case, "system-out").text = f"{len(skipped)} twin-only steps skipped"
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
