"""`cloudtwin faults add`: fault rules from flags and/or a JSON or YAML file.

The rules are the body of POST /_twin/faults; the twin checks them (and says what is wrong),
this only assembles them and refuses what cannot be a rule before anything is sent.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .client import ConsoleError
from ..flag_types import number_between, positive_int

MATCH_FLAGS = ("provider", "api", "operation", "method", "path", "account")
SCHEDULE_FLAGS = {"nth": "nth", "first": "first", "every": "every"}


def add_fault_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", metavar="FILE", help="rules as JSON or YAML (one, a list, or {faults: [...]})")
    match = parser.add_argument_group("match (every given field must match)")
    match.add_argument("--provider")
    match.add_argument("--api", help="an API of a provider with several (e.g. images, identity)")
    match.add_argument("--operation", help="an operationId, e.g. listInstances")
    match.add_argument("--method", type=str.upper)
    match.add_argument("--path", help="a regular expression searched in the request path")
    match.add_argument("--account")
    schedule = parser.add_argument_group("schedule (default: every matching request)")
    when = schedule.add_mutually_exclusive_group()
    when.add_argument("--nth", type=positive_int, metavar="N", help="fire on the Nth matching request")
    when.add_argument("--first", type=positive_int, metavar="N", help="fire on the first N")
    when.add_argument("--every", type=positive_int, metavar="N", help="fire on every Nth")
    when.add_argument("--probability", type=_probability, metavar="P", help="fire with probability P (seeded)")
    schedule.add_argument("--budget", type=int, metavar="N", help="fire at most N times")
    schedule.add_argument("--window-start", metavar="INSTANT", help="only from this virtual instant")
    schedule.add_argument("--window-end", metavar="INSTANT", help="only until this virtual instant")
    action = parser.add_argument_group("action")
    action.add_argument("--action", dest="action_type", metavar="KIND",
                        help="error, rate_limit, latency, reset, empty_reply, truncated, malformed, drip, hang")
    action.add_argument("--status", type=int, help="error: the HTTP status")
    action.add_argument("--message", help="error/rate_limit: the message in the provider's error body")
    action.add_argument("--retry-after", type=float, metavar="SECONDS", help="rate_limit: Retry-After")
    action.add_argument("--ms", type=float, help="latency: milliseconds")
    action.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="any other attribute of the action (VALUE read as JSON when it is JSON); repeatable")
    parser.add_argument("--id", dest="rule_id", help="the rule's id (default: fault-N)")
    parser.add_argument("--description")


def fault_rules(args: argparse.Namespace) -> list[dict[str, Any]]:
    rules = _file_rules(args.file) if args.file else [{}]
    overlay = _flag_rule(args)
    if not args.file and "action" not in overlay:
        raise ConsoleError("faults add needs an action: --action KIND (e.g. --action error --status 503) or a FILE")
    if args.rule_id and len(rules) > 1:
        raise ConsoleError(f"--id names one rule, but {args.file} holds {len(rules)}")
    return [_merge(rule, overlay) for rule in rules]


def _flag_rule(args: argparse.Namespace) -> dict[str, Any]:
    rule: dict[str, Any] = {}
    match = {name: getattr(args, name) for name in MATCH_FLAGS if getattr(args, name) is not None}
    if match:
        rule["match"] = match
    schedule: dict[str, Any] = {}
    for flag, mode in SCHEDULE_FLAGS.items():
        if getattr(args, flag) is not None:
            schedule = {"mode": mode, "n": getattr(args, flag)}
    if args.probability is not None:
        schedule = {"mode": "probability", "probability": args.probability}
    if args.budget is not None:
        schedule["budget"] = args.budget
    window = {k: v for k, v in (("start", args.window_start), ("end", args.window_end)) if v}
    if window:
        schedule["window"] = window
    if schedule:
        rule["schedule"] = schedule
    action: dict[str, Any] = {}
    if args.action_type:
        action["type"] = args.action_type
    for key, value in (("status", args.status), ("message", args.message), ("retry_after", args.retry_after),
                       ("ms", args.ms)):
        if value is not None:
            action[key] = int(value) if key == "retry_after" and float(value).is_integer() else value
    for item in args.set:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConsoleError(f"--set {item!r}: expected KEY=VALUE, e.g. --set jitter_ms=50")
        action[key.strip()] = _value(raw)
    if action:
        rule["action"] = action
    for key, value in (("id", args.rule_id), ("description", args.description)):
        if value is not None:
            rule[key] = value
    return rule


def _merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in overlay.items():
        out[key] = {**out[key], **value} if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _file_rules(name: str) -> list[dict[str, Any]]:
    path = Path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConsoleError(f"{name}: cannot read ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise ConsoleError(f"{name}: not UTF-8 text") from None
    document = _parse(name, text)
    if isinstance(document, dict) and isinstance(document.get("faults"), list):
        document = document["faults"]
    rules = document if isinstance(document, list) else [document]
    for index, rule in enumerate(rules, 1):
        if not isinstance(rule, dict):
            raise ConsoleError(f"{name}: rule {index} is not a mapping (a fault rule has match, schedule, action)")
    if not rules:
        raise ConsoleError(f"{name}: holds no fault rules")
    return rules


def _parse(name: str, text: str) -> Any:
    if name.endswith(".json"):
        try:
            return json.loads(text)
        except ValueError as error:
            raise ConsoleError(f"{name}: not JSON ({error})") from None
    import yaml  # only here: a JSON file or flags need no YAML parser

    try:
        return yaml.safe_load(text)  # YAML is a superset of JSON: .yaml, .yml and anything else
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise ConsoleError(f"{name}: not valid JSON or YAML{where} ({problem})") from None


def _value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _probability(text: str) -> float:
    return number_between(text, 0, 1, "a probability")
