"""A chaos campaign against a client that fails under one specific fault combination: the shrunk
scenario holds only that combination, and replaying it from its seed fails the same way."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from cloudtwin.cli import main
from cloudtwin.harness.chaos.profiles import BUILT_IN, load
from cloudtwin.harness.chaos.shrink import ddmin
from cloudtwin.harness.handle import TwinHandle

HERE = Path(__file__).parent
CLIENT = [sys.executable, str(HERE / "fragile_client.py")]


def test_the_campaign_shrinks_to_the_two_503s_in_a_row_and_the_scenario_replays_the_failure(tmp_path: Path) -> None:
    out = tmp_path / "minimal.yaml"
    assert main(["chaos", "--profile", str(HERE / "profile.yaml"), "--seed", "1", "--out", str(out), "--", *CLIENT]) == 1
    document = yaml.safe_load(out.read_text())
    faults = [step["fault"] for step in document["steps"]]
    assert len(faults) == 2
    assert all(f["action"]["type"] == "error" and f["action"]["status"] == 503 for f in faults)
    assert all(f["match"] == {"provider": "barrack", "operation": "listInstances"} for f in faults)
    first, second = sorted(f["schedule"]["n"] for f in faults)
    assert second == first + 1 and all(f["schedule"]["mode"] == "nth" for f in faults)  # a listing and its retry
    assert document["seed"] == 1
    assert main(["chaos", "--scenario", str(out), "--", *CLIENT]) == 1
    assert main(["replay", str(out)]) == 0  # a valid scenario for the runner too


def test_a_client_that_survives_exits_0_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "minimal.yaml"
    assert main(["chaos", "--profile", str(HERE / "profile.yaml"), "--seed", "2", "--out", str(out), "--", *CLIENT]) == 0
    assert not out.exists()


@pytest.mark.parametrize("argv, says", [
    (["--profile", "no-such-profile", "--", "true"], "--profile no-such-profile"),
    (["--profile", "throttled"], "needs a command"),
])
def test_bad_arguments_are_one_line_and_status_2(argv: list[str], says: str, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["chaos", *argv]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1


def test_a_profile_rule_the_twin_refuses_is_one_line_naming_the_profile(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "bad.yaml"
    profile.write_text("faults:\n  - action: {type: no-such-kind}\n")
    assert main(["chaos", "--profile", str(profile), "--", "true"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --profile {profile}") and err.count("\n") == 1


def test_ddmin_finds_the_one_minimal_pair() -> None:
    calls = []

    def fails(subset: list[int]) -> bool:
        calls.append(subset)
        return 3 in subset and 7 in subset

    assert ddmin(list(range(10)), fails) == [3, 7]


@pytest.mark.parametrize("profile", sorted(BUILT_IN))
def test_every_built_in_profile_is_a_list_of_probabilistic_rules_the_twin_accepts(profile: str) -> None:
    handle = TwinHandle(seed=0)
    rules = load(profile, handle.twin)
    assert rules and all(r["schedule"]["mode"] == "probability" for r in rules)
    for rule in rules:
        handle.add_fault(**rule)
    assert len(handle.admin("GET", "/faults")["faults"]) == len(rules)


def test_the_command_finds_every_provider_and_the_default_accounts_credentials_in_its_environment() -> None:
    check = ("import os, sys; e = os.environ; sys.exit(0 if e['CLOUDTWIN_RACKSPACE_USERNAME'] == 'twinuser'"
             " and e['CLOUDTWIN_GENESIS_URL'].endswith('/genesis/compute/v1')"
             " and e['CLOUDTWIN_RACKSPACE_IDENTITY_URL'].endswith('/rackspace/identity')"
             " and e['CLOUDTWIN_BARRACK_TOKEN'] == e['CLOUDTWIN_BARRACK_API_KEY'] else 3)")
    assert main(["chaos", "--profile", "throttled", "--", sys.executable, "-c", check]) == 0
