"""Every mistake a user can make at the front door ends the same way: exit status 2, exactly one
line on stderr naming the flag, file (with line) or value and what is wrong, no traceback, and
nothing on stdout (no banner before the port is bound).

Run in-process through `cloudtwin.cli.main` (fast): every one of these fails before a server starts.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Callable, Iterator

import pytest

from cloudtwin.cli import main
from cloudtwin.engine.state_document import STATE_VERSION

SCENARIOS = Path(__file__).parents[2] / "scenarios"
GOOD_SCENARIO = SCENARIOS / "genesis" / "rate-limit-storm.yaml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse's own mistakes
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    assert out == "", f"printed before failing: {out!r}"
    return code, err


def assert_one_line(code: int, err: str, *names: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line, got:\n{err}"
    for name in names:
        assert name in lines[0], f"{name!r} not in {lines[0]!r}"


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        yield int(listener.getsockname()[1])


# serve: flags and values -------------------------------------------------------------------------
@pytest.mark.parametrize("argv, names", [
    (["--provider", "genesiss"], ["--provider", "'genesiss'", "genesis, barrack, rackspace"]),
    (["--port", "99999"], ["--port", "'99999'", "0-65535"]),
    (["--port", "-1"], ["--port", "'-1'", "0-65535"]),
    (["--port", "eighty"], ["--port", "'eighty'"]),
    (["--threads", "0"], ["--threads", "'0'", "at least 1"]),
    (["--threads", "-4"], ["--threads", "'-4'"]),
    (["--save-every", "-1", "--state-file", "s.json"], ["--save-every", "'-1'", "above 0"]),
    (["--save-every", "0", "--state-file", "s.json"], ["--save-every", "'0'"]),
    (["--save-every", "soon", "--state-file", "s.json"], ["--save-every", "'soon'"]),
    (["--save-every", "5"], ["--save-every", "--state-file"]),
    (["--fixtures", "/nonexistent"], ["--fixtures", "/nonexistent", "no such folder"]),
    (["--admin-token", ""], ["--admin-token", "empty"]),
    (["--host", "no-such-host.invalid"], ["--host", "no-such-host.invalid"]),
    (["--no-such-flag"], ["--no-such-flag"]),
])
def test_serve_flag_mistakes(capsys: pytest.CaptureFixture[str], argv: list[str], names: list[str]) -> None:
    assert_one_line(*run(capsys, "serve", "--port", "0", *argv), *names)


def test_fixtures_that_is_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    file = tmp_path / "fixtures.yaml"
    file.write_text("accounts: []\n")
    assert_one_line(*run(capsys, "serve", "--fixtures", str(file)), "--fixtures", str(file), "not a folder")


def test_a_port_in_use_is_one_line_and_no_banner(capsys: pytest.CaptureFixture[str], busy_port: int,
                                                 tmp_path: Path) -> None:
    code, err = run(capsys, "serve", "--port", str(busy_port), "--provider", "genesis")
    assert_one_line(code, err, f"--port {busy_port}", "already in use")
    # A second twin on the same state file fails at the port, before touching the first one's files.
    in_flight = tmp_path / "state.json.x1y2z3.tmp"
    in_flight.write_text("{}")
    code, err = run(capsys, "serve", "--port", str(busy_port), "--state-file", str(tmp_path / "state.json"))
    assert_one_line(code, err, "already in use")
    assert in_flight.exists()


# serve: fixture folders and files ------------------------------------------------------------------
def test_a_misspelled_provider_folder_names_the_known_ones(capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    (tmp_path / "genesiss").mkdir()
    code, err = run(capsys, "serve", "--port", "0", "--fixtures", str(tmp_path))
    assert_one_line(code, err, str(tmp_path / "genesiss"), "'genesiss'", "barrack, genesis, rackspace")


@pytest.mark.parametrize("text, line, problem", [
    ("items:\n  - {name: PyTorch, tags: [a, b}\n", 2, "not valid YAML"),
    ("a: 1\n  b: 2\n", 2, "not valid YAML"),
    ("key: 'unterminated\n", 2, "not valid YAML"),
])
def test_a_broken_fixture_yaml_names_file_and_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                   text: str, line: int, problem: str) -> None:
    (tmp_path / "genesis").mkdir()
    broken = tmp_path / "genesis" / "catalog.yaml"
    broken.write_text(text)
    code, err = run(capsys, "serve", "--port", "0", "--fixtures", str(tmp_path))
    assert_one_line(code, err, f"{broken}:{line}:", problem)


def test_a_fixture_that_is_not_utf8(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "genesis").mkdir()
    (tmp_path / "genesis" / "regions.yaml").write_bytes(b"regions: [\xff\xfe]\n")
    assert_one_line(*run(capsys, "serve", "--port", "0", "--fixtures", str(tmp_path)), "regions.yaml", "UTF-8")


@pytest.mark.parametrize("folder, name, text, names", [
    ("", "accounts.yaml", "accounts: 3\n", ["accounts.yaml:1:", "accounts:"]),
    ("", "accounts.yaml", "- one\n- two\n", ["accounts.yaml:1:"]),
    ("genesis", "regions.yaml", "regions: 5\n", ["--fixtures"]),
])
def test_a_fixture_of_the_wrong_shape(capsys: pytest.CaptureFixture[str], tmp_path: Path, folder: str, name: str,
                                      text: str, names: list[str]) -> None:
    (tmp_path / folder).mkdir(exist_ok=True)
    (tmp_path / folder / name).write_text(text)
    assert_one_line(*run(capsys, "serve", "--port", "0", "--fixtures", str(tmp_path)), *names)


# serve: the state file -------------------------------------------------------------------------------
STATE_SHAPES: dict[str, Callable[[Path], None]] = {
    "not JSON": lambda p: p.write_text("{not json"),
    "empty": lambda p: p.write_text(""),
    "not UTF-8": lambda p: p.write_bytes(b"\xff\xfe\x00{"),
    "a list": lambda p: p.write_text("[]"),
    "a number": lambda p: p.write_text("42"),
    "an empty object": lambda p: p.write_text("{}"),
    "a header only": lambda p: p.write_text(json.dumps({"format": "cloudtwin-state", "version": STATE_VERSION})),
    "an old version": lambda p: p.write_text(json.dumps({"format": "cloudtwin-state", "version": 0})),
    "another format": lambda p: p.write_text(json.dumps({"format": "terraform", "version": 4})),
}


@pytest.mark.parametrize("shape", list(STATE_SHAPES))
def test_a_state_file_of_any_shape_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                               shape: str) -> None:
    state = tmp_path / "state.json"
    STATE_SHAPES[shape](state)
    assert_one_line(*run(capsys, "serve", "--port", "0", "--provider", "genesis", "--state-file", str(state)),
                    str(state))


def test_a_state_file_that_is_a_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert_one_line(*run(capsys, "serve", "--port", "0", "--provider", "genesis", "--state-file", str(tmp_path)),
                    str(tmp_path), "cannot read")


def test_the_next_start_removes_what_a_killed_save_left(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    leftovers = [tmp_path / "state.json.k3j9x_.tmp", tmp_path / "state.json.a8b2c1.tmp"]
    others = [tmp_path / "other.json.k3j9x_.tmp", tmp_path / "state.json", tmp_path / "state.jsonX.tmp"]
    for path in leftovers + others:
        path.write_text("{}" if path.name != "state.json" else "{not json")
    # The start fails (the state file is broken): the clean-up ran before reading it.
    assert_one_line(*run(capsys, "serve", "--port", "0", "--provider", "genesis", "--state-file", str(state)),
                    str(state))
    assert not any(p.exists() for p in leftovers)
    assert all(p.exists() for p in others)  # only this state file's temp files


# replay --------------------------------------------------------------------------------------------
def test_replay_of_an_empty_folder_is_not_a_pass(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert_one_line(*run(capsys, "replay", str(tmp_path)), str(tmp_path), "no scenario files")


def test_replay_of_a_missing_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert_one_line(*run(capsys, "replay", str(GOOD_SCENARIO), str(missing)), str(missing), "no such file")


@pytest.mark.parametrize("edit, names", [
    (lambda t: t.replace("provider: genesis", "provider: genesiss"),
     [":2:", "'genesiss'", "genesis, barrack, rackspace"]),
    (lambda t: t + "  - request: {method: GET, path: /instances\n", ["not valid YAML"]),
    (lambda t: t + "  - nap: 5s\n", ["step", "'nap'"]),
    (lambda t: "- just\n- a list\n", [":1:", "a scenario is a mapping"]),
    (lambda t: t.replace("name: ", "nme: ", 1), ["'nme' was unexpected"]),
])
def test_replay_of_a_broken_scenario(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                     edit: Callable[[str], str], names: list[str]) -> None:
    scenario = tmp_path / "story.yaml"
    scenario.write_text(edit(GOOD_SCENARIO.read_text()))
    assert_one_line(*run(capsys, "replay", str(scenario)), str(scenario), *names)


@pytest.mark.parametrize("argv, names", [
    (["--junit", "/nonexistent/report.xml"], ["--junit", "/nonexistent"]),
    (["--base-url", "api.genesiscloud.com"], ["--base-url", "'api.genesiscloud.com'", "http"]),
    (["--base-url", "http://x", "--auth-header", "Bearer"], ["--auth-header", "'Bearer'"]),
])
def test_replay_flag_mistakes(capsys: pytest.CaptureFixture[str], argv: list[str], names: list[str]) -> None:
    assert_one_line(*run(capsys, "replay", str(GOOD_SCENARIO), *argv), *names)


def test_replay_junit_into_a_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert_one_line(*run(capsys, "replay", str(GOOD_SCENARIO), "--junit", str(tmp_path)), "--junit", "is a folder")


# the command itself ----------------------------------------------------------------------------------
@pytest.mark.parametrize("argv, names", [
    ([], ["COMMAND"]),
    (["serv"], ["'serv'", "serve"]),
    (["replay"], ["paths"]),
    (["spec"], ["spec_command"]),
    (["contract"], ["provider"]),
    (["contract", "genesiss"], ["'genesiss'", "genesis"]),
])
def test_command_mistakes(capsys: pytest.CaptureFixture[str], argv: list[str], names: list[str]) -> None:
    assert_one_line(*run(capsys, *argv), *names)


# the shared value types (flag_types): each command that takes them names the flag and the value
@pytest.mark.parametrize("argv, names", [
    (["journal", "--limit", "0"], ["--limit", "'0'", "at least 1"]),
    (["journal", "--since", "-1"], ["--since", "'-1'", "whole number"]),
    (["journal", "--status", "99"], ["--status", "'99'", "100-599"]),
    (["journal", "--status", "ok"], ["--status", "'ok'"]),
    (["journal", "--interval", "0"], ["--interval", "'0'", "between 0.05 and 3600"]),
    (["journal", "--interval", "nan"], ["--interval", "'nan'"]),
    (["resources", "--limit", "many"], ["--limit", "'many'", "at least 1"]),
    (["faults", "add", "--nth", "0", "x.yaml"], ["--nth", "'0'"]),
    (["faults", "add", "--probability", "2", "x.yaml"], ["--probability", "'2'", "between 0 and 1"]),
    (["contract", "genesis", "--jobs", "0"], ["--jobs", "'0'", "at least 1"]),
    (["serve", "--threads", "+"], ["--threads", "'+'"]),
])
def test_shared_value_type_mistakes(capsys: pytest.CaptureFixture[str], argv: list[str], names: list[str]) -> None:
    assert_one_line(*run(capsys, *argv), *names)
