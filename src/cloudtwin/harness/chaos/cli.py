"""`cloudtwin chaos --profile NAME --seed N -- COMMAND…`: a seeded fault campaign against the
user's own command, shrunk to a minimal failing scenario; `--scenario FILE` replays one."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

import yaml

from ...engine.ids import seed_value
from ..handle import TwinError, TwinHandle
from .campaign import Campaign, run_once, scenario_document
from .profiles import BUILT_IN, ProfileError, load


def chaos(args: argparse.Namespace) -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log between the command's output
    command = list(args.command)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        print("error: chaos needs a command after `--`, e.g. cloudtwin chaos --profile throttled -- pytest -q",
              file=sys.stderr)
        return 2
    if args.scenario:
        return _replay(args, command)
    try:
        probe = TwinHandle(seed=args.seed)  # the profile may read the twin's fixtures
        rules = load(args.profile, probe.twin)
        for rule in rules:  # every rule checked by the twin itself before the campaign starts
            probe.add_fault(**rule)
    except ProfileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except TwinError as error:  # the twin refused a rule
        print(f"error: --profile {args.profile}: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    campaign = Campaign(command, args.seed, timeout=args.timeout, max_runs=args.max_runs)
    first = campaign.first(rules)
    print(f"run 1: exit {first.exit_status}, {len(first.fired)} fault(s) fired")
    if args.verdicts:
        from ..verdicts import judge
        print(judge(first.journal).render())
    if first.exit_status == 0:
        print("the command survived the profile")
        return 0
    if not first.fired:
        print("the command failed with no fault fired: nothing to shrink\n" + first.output, file=sys.stderr)
        return 1
    if not campaign.reproduces(first.fired):
        print("the failure does not reproduce with the same faults on the same requests: the command "
              "depends on more than the twin (time, its own randomness); nothing written", file=sys.stderr)
        return 1
    print(f"shrinking {len(first.fired)} fault(s)…")
    minimal = campaign.shrink(first.fired)
    document = scenario_document(minimal, seed=args.seed, profile=args.profile, command=command,
                                 exit_status=first.exit_status)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.dump(document, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True), encoding="utf-8")
    print(f"{len(minimal)} fault(s) still make it fail ({campaign.runs} runs):")
    for fired in minimal:
        print(f"  - {fired.where}  [rule {fired.rule['id']}, match #{fired.nth}]")
    print(f"written: {out}  (replay: cloudtwin chaos --scenario {out} -- {' '.join(command)})")
    return 1


class _PlainDumper(yaml.SafeDumper):
    """No &anchors: each fault step reads whole, as a person would write it."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _replay(args: argparse.Namespace, command: list[str]) -> int:
    from ..scenario import ScenarioError, load as load_scenario

    try:
        scenario = load_scenario(Path(args.scenario))
    except ScenarioError as error:
        print(f"error: --scenario {error}", file=sys.stderr)
        return 2
    rules = [step.spec["fault"] for step in scenario.steps if step.kind == "fault"]
    result = run_once(command, rules, seed=scenario.seed, timeout=args.timeout)
    print(f"exit {result.exit_status}, {len(result.fired)} fault(s) fired: "
          + "; ".join(f.where for f in result.fired))
    if result.exit_status:
        print(result.output, file=sys.stderr)
    return result.exit_status


def register(commands_parser: Any) -> None:
    p = commands_parser.add_parser(
        "chaos", help="run a command against a twin under a seeded fault profile; shrink a failure to a scenario",
        description="Serves a fresh twin, runs COMMAND with CLOUDTWIN_URL, CLOUDTWIN_<PROVIDER>_URL and "
                    "CLOUDTWIN_<PROVIDER>_TOKEN in its environment, under the profile's probabilistic faults. "
                    "If the command fails, re-runs it with subsets of the faults that fired until a minimal "
                    "set still fails, and writes that set as a scenario (exit 1). Exit 0 if it survived.")
    p.add_argument("--profile", default="flaky-network",
                   help=f"{', '.join(BUILT_IN)}, or a YAML file with a `faults:` list (default %(default)s)")
    p.add_argument("--seed", type=seed_value, default=0, help="the twin's seed: ids and every fault draw (default 0)")
    p.add_argument("--out", default="chaos-minimal.yaml", help="where the shrunk scenario goes (default %(default)s)")
    p.add_argument("--scenario", help="instead of a campaign: replay a shrunk scenario's faults under COMMAND")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds one run of COMMAND may take")
    p.add_argument("--verdicts", action="store_true", help="print the resilience verdicts of the first run")
    p.add_argument("--max-runs", type=int, default=64, help="at most this many runs in all (default %(default)s)")
    p.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS…]")
    p.set_defaults(run=chaos)


