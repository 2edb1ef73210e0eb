"""`--jobs 2` against the twin: one API's phases run side by side, coverage and the stateful flows
in one schemathesis process, fuzzing in another, each against a twin of its own.

Profiled (`benchmarks/README.md`), a contract run is schemathesis generating and checking
(four fifths) while the twin answers (one seventh), one request at a time: one core busy.
The phases are independent runs over the same operations, so two processes can take both
cores, when there is a second core to take: on a machine already busy each phase took twice as
long side by side, and the run gained nothing (benchmarks/README.md). Hence opt-in.
Each shard has its own served twin from the same seed (no shard sees another's resources, so
each is as repeatable as a serial run) and its own reports, merged afterwards: one JUnit, one
HAR, one request tally. Their console output is shown shard by shard when both are done.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

SHARDS: tuple[tuple[str, ...], ...] = (("examples", "coverage", "stateful"), ("fuzzing",))
# A second schemathesis process costs its start-up (1-2 s of CPU): an API of a few operations
# (Rackspace identity, files) finishes sooner alone.
WORTH_SHARDING = 20


@dataclass
class Shard:
    phases: tuple[str, ...]
    cmd: list[str]
    env: Mapping[str, str]
    reports: Mapping[str, Path]
    count_file: Path
    output: Path


def run(shards: list[Shard], cwd: Path) -> tuple[int, bool]:
    """Run every shard at once; (the worst exit status, whether the user interrupted)."""
    processes = []
    for shard in shards:
        with open(shard.output, "wb") as out:
            processes.append(subprocess.Popen(shard.cmd, env=dict(shard.env), cwd=cwd, stdout=out,
                                              stderr=subprocess.STDOUT))
    user_stop = False
    codes: list[int] = []
    for process in processes:
        try:
            codes.append(process.wait())
        except KeyboardInterrupt:
            user_stop = True
            try:
                codes.append(process.wait(timeout=30))
            except (KeyboardInterrupt, subprocess.TimeoutExpired):
                process.kill()
                codes.append(process.wait())
    for shard in shards:
        print(f"--- phases {', '.join(shard.phases)} ---", flush=True)
        sys.stdout.write(shard.output.read_text(encoding="utf-8", errors="replace"))
        sys.stdout.flush()
    return (max(codes, key=lambda code: (code != 0, code)) if codes else 0), user_stop


def merge(shards: list[Shard], reports: Mapping[str, Path], count_file: Path) -> None:
    """The shards' JUnit, HAR and request tallies as the serial run would have left them."""
    suites = ET.Element("testsuites")
    for shard in shards:
        try:
            root = ET.parse(shard.reports["junit"]).getroot()
        except (OSError, ET.ParseError):
            continue
        suites.extend(list(root) if root.tag == "testsuites" else [root])
    ET.ElementTree(suites).write(reports["junit"], encoding="utf-8", xml_declaration=True)
    har: dict[str, Any] | None = None
    for shard in shards:
        try:
            part = json.loads(shard.reports["har"].read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if har is None:
            har = part
        else:
            har["log"]["entries"].extend(part.get("log", {}).get("entries", []))
    if har is not None:
        reports["har"].write_text(json.dumps(har), encoding="utf-8")
    tally = {"sent": 0, "refused": 0}
    for shard in shards:
        try:
            counted = json.loads(shard.count_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for key in tally:
            tally[key] += int(counted.get(key, 0))
    count_file.write_text(json.dumps(tally), encoding="utf-8")
