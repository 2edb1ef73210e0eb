"""Sub-commands beyond `serve`, imported only when they run.

`cloudtwin --help` and `--version` must not pay for schemathesis, Flask and the OpenAPI
validator (over a second): each command is one line in `COMMANDS` (its name, its module and
its one-line help), and only the module of the command being run is imported; that module
defines `register(subparsers)`, which adds its full parser. A new command is one line here.
"""

from __future__ import annotations

from dataclasses import dataclass



@dataclass(frozen=True)
class Command:
    name: str
    module: str  # imported only when this command runs (or shows its own --help)
    help: str
    register: str = "register"  # the module's function that adds the command's parser


COMMANDS: list[Command] = [
    Command("replay", "cloudtwin.harness.replay", "replay failure scenarios (YAML) against a twin or a real endpoint"),
    Command("contract", "cloudtwin.harness.contract_cli",
            "run the schemathesis contract suite against the twin or a real endpoint"),
    Command("spec", "cloudtwin.harness.lint", "work with the OpenAPI documents in spec/"),
    Command("verdict", "cloudtwin.harness.verdicts.cli",
            "judge how a client handled the faults (Retry-After, backoff, duplicates, cost, …)"),
    Command("chaos", "cloudtwin.harness.chaos.cli",
            "run a command against a twin under a seeded fault profile; shrink a failure to a scenario"),
    # Learning from a real endpoint.
    Command("record", "cloudtwin.recording.commands",
            "record a session with a real endpoint into a scenario, lifecycles, fixtures and HAR",
            register="register_record"),
    Command("proxy", "cloudtwin.recording.commands",
            "a chaos proxy: the twin's fault rules in front of a real endpoint", register="register_proxy"),
    Command("calibrate", "cloudtwin.recording.calibrate",
            "fit lifecycle durations (and latencies) from recordings into a fixture overlay"),
    Command("drift", "cloudtwin.recording.compare",
            "run a scenario on the twin and on a real endpoint and report where the answers differ"),
    # Verbs against a running twin (its control plane over HTTP; --url, --admin-token, --json).
    Command("status", "cloudtwin.console.status", "what a running twin holds: clock, counts, next events"),
    Command("resources", "cloudtwin.console.resources", "list a running twin's resources (or show one)"),
    Command("journal", "cloudtwin.console.journal", "a running twin's requests, as a table (or --follow)"),
    Command("faults", "cloudtwin.console.faults", "a running twin's fault rules: list, add, rm, clear"),
    Command("clock", "cloudtwin.console.clock", "a running twin's virtual clock: show or move it"),
    Command("state", "cloudtwin.console.state", "export or import a running twin's whole state"),
]

class UsageError(Exception):
    """A mistake on the command line or in a file it names: `cloudtwin` prints `error: <message>`
    on one line and exits with status 2. The message names the flag, file (with line) or value."""
