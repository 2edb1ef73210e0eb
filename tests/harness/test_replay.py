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


POLITE = """\
name: wait_until is a well-behaved client
provider: genesis
steps:
  - fault: {match: {operation: listInstances}, schedule: {mode: first, n: 3},
            action: {type: rate_limit, retry_after: 30}}
  - request: {method: GET, path: /instances}
    expect: {status: 429, headers: {Retry-After: "30"}}
  - wait_until:
      request: {method: GET, path: /instances}
      expect: {status: 200}
      interval: 5s
  - faults: clear
  - request:
      method: POST
      path: /instances
      body: {name: w, hostname: w, type: vcpu-4_memory-16g_nvidia-rtx-3080-1, image: ubuntu-22.04,
             region: NORD-NO-KRS-1}
    save: {id: instance.id}
  - wait_until:
      request: {method: GET, path: "/instances/${id}"}
      expect: {status: 200, body: {instance.status: active}}
      interval: 7s
"""


def test_wait_until_honours_retry_after_then_polls_at_its_interval(tmp_path: Path) -> None:
    scenario = load(_write(tmp_path, POLITE))
    target = build_twin_target(scenario)
    result = Runner(scenario, target).run()
    assert result.passed, text(result)
    entries = [e for e in target.admin("GET", "/journal", None, {"limit": 1000}).json()["entries"]
               if e["path"].endswith("/instances") and e["method"] == "GET"]
    epochs = [e["epoch"] for e in entries]
    # Three 429s, each followed by 30 s of virtual time (not the 5 s interval), then the 200.
    assert [e["status"] for e in entries] == [429, 429, 429, 200]
    assert [round(b - a) for a, b in zip(epochs, epochs[1:])] == [30, 30, 30]
    polls = [e["epoch"] for e in target.admin("GET", "/journal", None, {"limit": 1000}).json()["entries"]
             if "/instances/" in e["path"] and e["method"] == "GET"]
    assert len(polls) >= 2 and {round(b - a) for a, b in zip(polls, polls[1:])} == {7}


def test_retry_after_as_seconds_or_an_http_date() -> None:
    from cloudtwin.harness.runner import retry_after_seconds
    from cloudtwin.harness.targets import Response

    assert retry_after_seconds(Response(429, {"Retry-After": "12"}, "")) == 12
    assert retry_after_seconds(Response(503, {"retry-after": "Wed, 21 Oct 2015 07:28:30 GMT",
                                              "Date": "Wed, 21 Oct 2015 07:28:00 GMT"}, "")) == 30
    assert retry_after_seconds(Response(200, {"Retry-After": "12"}, "")) == 0  # only a refusal asks to wait
    assert retry_after_seconds(Response(429, {"Retry-After": "soon"}, "")) == 0


def test_replay_of_nothing_is_not_a_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(tmp_path)]) == 2
    assert "no scenario files" in capsys.readouterr().err


def test_a_request_that_gets_no_answer_is_not_a_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = _write(tmp_path, "name: n\nprovider: genesis\nsteps:\n  - request: {method: GET, path: /instances}\n")
    assert main(["replay", str(scenario), "--base-url", "http://127.0.0.1:1", "--token", "t"]) == 1
    assert 'got "unreachable (http://127.0.0.1:1)"' in capsys.readouterr().out
