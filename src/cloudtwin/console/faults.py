"""`cloudtwin faults list|add|rm|clear`: a running twin's fault rules."""

from __future__ import annotations

import argparse
from typing import Any

from .client import TwinClient
from .common import common_options, print_json, runs, wants_json
from .faults_input import add_fault_flags, fault_rules
from .tables import describe_action, describe_match, describe_schedule, table


def faults_list(args: argparse.Namespace, client: TwinClient) -> int:
    rules = client.get("/faults")["faults"]
    if wants_json(args):
        print_json({"faults": rules})
    elif not rules:
        print("no fault rules")
    else:
        print(table(("ID", "MATCH", "SCHEDULE", "ACTION", "MATCHED", "FIRED"),
                    ((r["id"], describe_match(r.get("match") or {}), describe_schedule(r.get("schedule") or {}),
                      describe_action(r), r.get("matched"), r.get("fired")) for r in rules)))
    return 0


def faults_add(args: argparse.Namespace, client: TwinClient) -> int:
    rules = fault_rules(args)  # every rule is read and checked before the first is sent
    added = [client.post("/faults", rule) for rule in rules]
    if wants_json(args):
        print_json({"faults": added})
    else:
        for rule in added:
            print(f"added {rule['id']}: {describe_match(rule.get('match') or {})}, "
                  f"{describe_schedule(rule.get('schedule') or {})}, {describe_action(rule)}")
    return 0


def faults_rm(args: argparse.Namespace, client: TwinClient) -> int:
    from urllib.parse import quote

    for rule_id in args.ids:
        client.delete("/faults/" + quote(rule_id, safe=""))
    if wants_json(args):
        print_json({"removed": args.ids})
    else:
        print("removed " + ", ".join(args.ids))
    return 0


def faults_clear(args: argparse.Namespace, client: TwinClient) -> int:
    client.delete("/faults")
    if wants_json(args):
        print_json({"faults": []})
    else:
        print("no fault rules")
    return 0


def register(subparsers: Any) -> None:
    common = common_options()

    p = subparsers.add_parser("faults", parents=[common], help="a running twin's fault rules: list, add, rm, clear",
                              description="Fault rules of a running twin. Without a sub-command: list them.")
    p.set_defaults(run=runs(faults_list))
    verbs = p.add_subparsers(dest="faults_verb", metavar="{list,add,rm,clear}")
    q = verbs.add_parser("list", parents=[common], help="the rules, with how often each matched and fired")
    q.set_defaults(run=runs(faults_list))
    q = verbs.add_parser("add", parents=[common], help="add rules from flags and/or a JSON or YAML file",
                         description="Add a fault rule from flags, or rules from a file (one rule, a list, or "
                                     "{faults: [...]}, JSON or YAML, the shape of POST /_twin/faults); flags given "
                                     "with a file apply to each of its rules.",
                         epilog="example: cloudtwin faults add --provider genesis --operation listInstances "
                                "--first 2 --action rate_limit --retry-after 5")
    add_fault_flags(q)
    q.set_defaults(run=runs(faults_add))
    q = verbs.add_parser("rm", parents=[common], help="remove rules by id")
    q.add_argument("ids", nargs="+", metavar="ID", help="a rule's id (see `cloudtwin faults list`)")
    q.set_defaults(run=runs(faults_rm))
    q = verbs.add_parser("clear", parents=[common], help="remove every rule")
    q.set_defaults(run=runs(faults_clear))
