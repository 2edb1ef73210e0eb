"""The scenario runner: a wrong expectation fails with a readable diff; a malformed file is
refused with its line before anything runs; replays are deterministic; the CLI and JUnit work."""

from __future__ import annotations

import textwrap
from pathlib import Path
from xml.etree import ElementTree

import pytest

from cloudtwin.cli import main
from cloudtwin.harness.report import text
from cloudtwin.harness.runner import Runner, build_twin_target
from cloudtwin.harness.scenario import ScenarioError, load

WRONG = """\
name: expects the wrong status
provider: genesis
seed: 1
steps:
  - request:
      method: POST
      path: /volumes
      body: {name: v, size: 10, region: NORD-NO-KRS-1}
    expect:
      status: 200
      body: {volume.status: created}
"""


def _write(tmp_path: Path, body: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


def test_a_wrong_expectation_fails_with_request_response_and_expectation(tmp_path: Path) -> None:
    scenario = load(_write(tmp_path, WRONG))
    result = Runner(scenario, build_twin_target(scenario)).run()
    assert not result.passed
    report = text(result)
    assert "FAIL" in report and "(line 5)" in report
    assert "status: expected 200, got 201" in report
    assert 'volume.status: expected "created", got "creating"' in report
    assert "request:" in report and '"POST"' in report and "response: 201" in report and "expected:" in report


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ("name: x\nprovider: genesis\nsteps:\n  - request: {method: GET, path: /a}\n  - advance: soon\n", 5,
         "step 2"),
        ("name: x\nprovider: genesis\nsteps:\n  - request: {method: FETCH, path: /a}\n", 4, "FETCH"),
        ("name: x\nprovider: genesis\nsteps:\n  - teleport: {to: mars}\n", 4, "step 1"),
        ("name: x\nprovider: genesis\nsteps: [\n", 4, "not valid YAML"),
        ("provider: genesis\nsteps:\n  - advance: 1s\n", 1, "'name' is a required property"),
    ],
)
def test_a_malformed_file_is_refused_with_its_line(tmp_path: Path, body: str, line: int, fragment: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(ScenarioError) as raised:
        load(path)
    message = str(raised.value)
    assert message.startswith(f"{path}:{line}:"), message
    assert fragment in message


def test_the_cli_refuses_a_malformed_file_before_running_any(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path, WRONG.replace("status: 200", "status: 201").replace("created}", "creating}"), "a.yaml")
    _write(tmp_path, "name: x\nprovider: genesis\nsteps: []\n", "b.yaml")
    assert main(["replay", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "b.yaml:3" in captured.err and "PASS" not in captured.out
    assert main(["replay", str(good)]) == 0


def test_replay_exit_status_and_junit(tmp_path: Path) -> None:
    wrong = _write(tmp_path, WRONG)
    report = tmp_path / "junit.xml"
    assert main(["replay", str(wrong), "--junit", str(report)]) == 1
    suite = ElementTree.parse(report).getroot()
    assert suite.get("tests") == "1" and suite.get("failures") == "1"
    assert suite.find("testcase/failure") is not None


def test_twin_only_steps_are_refused_against_a_real_endpoint_unless_skipped(tmp_path: Path) -> None:
    from cloudtwin.harness.targets import HttpTarget

    scenario = load(_write(tmp_path, "name: x\nprovider: genesis\nsteps:\n  - advance: 1s\n  - faults: clear\n"))
    refused = Runner(scenario, HttpTarget("http://127.0.0.1:9", "t")).run()
    assert not refused.passed and "--skip-twin-steps" in (refused.error or "")
    skipped = Runner(scenario, HttpTarget("http://127.0.0.1:9", "t"), skip_twin_steps=True).run()
    assert skipped.passed and [s.outcome for s in skipped.steps] == ["skipped", "skipped"]


def test_the_same_seed_gives_the_same_ids(tmp_path: Path) -> None:
    body = WRONG.replace("status: 200", "status: 201").replace("volume.status: created", "volume.status: creating")
    scenario = load(_write(tmp_path, body))
    runs = [Runner(scenario, build_twin_target(scenario)).run() for _ in range(2)]
    ids = [r.steps[0].exchange["response"]["body"]["volume"]["id"] for r in runs]
    assert ids[0] == ids[1]
