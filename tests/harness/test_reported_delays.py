"""An in-process replay is told a latency or a drip instead of waiting for it
(engine/connection.py REPORT_DELAYS): the step's time carries the delay, a delay past the
client's timeout is a timeout, and a running virtual clock moves on as a real wait moves it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cloudtwin.harness.runner import Runner, build_twin_target
from cloudtwin.harness.scenario import load

SLOW = """\
name: slow answers, counted not waited
provider: genesis
seed: 3
{setup}
steps:
  - fault:
      match: {{operation: listInstances}}
      schedule: {{mode: first, n: 1}}
      action: {{type: latency, ms: {ms}}}
  - fault:
      match: {{operation: listInstances}}
      schedule: {{mode: nth, n: 2}}
      action: {{type: drip, chunk_bytes: 8, interval_ms: 500, max_seconds: 60}}
  - request: {{method: GET, path: /instances}}
    expect: {{{first}}}
  - request: {{method: GET, path: /instances}}
    expect: {{status: 200, body: {{total_count: 0}}}}
"""


@pytest.fixture(autouse=True)
def no_real_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(seconds: float) -> None:
        raise AssertionError(f"an in-process replay slept {seconds}s")
    monkeypatch.setattr("cloudtwin.engine.faults.base.time.sleep", refuse)
    monkeypatch.setattr("cloudtwin.engine.faults.kinds.drip.time.sleep", refuse)


def _run(tmp_path: Path, ms: int, first: str, setup: str = ""):
    path = tmp_path / "slow.yaml"
    path.write_text(textwrap.dedent(SLOW.format(ms=ms, first=first, setup=setup)))
    scenario = load(path)
    target = build_twin_target(scenario)
    try:
        result = Runner(scenario, target).run()
        return result, target, target.twin.journal.query({"operation": "listInstances"}, limit=0)
    finally:
        target.close()


def test_the_steps_time_carries_the_delay_it_did_not_wait(tmp_path: Path) -> None:
    result, _, journal = _run(tmp_path, 2500, "status: 200")
    assert result.passed, [s.detail for s in result.steps]
    latency, drip = result.steps[2], result.steps[3]
    assert latency.real_ms >= 2500
    body = drip.exchange["response"]["body"]
    assert body == {"instances": [], "total_count": 0, "page": 1, "per_page": 50}  # whole, not cut
    assert drip.real_ms >= 500  # a body of more than 8 bytes pauses at least once
    # the journal says how long a client would have waited, as a served twin's would
    slow, dripped = journal
    assert slow["duration_ms"] >= 2500 and dripped["duration_ms"] >= 500
    # nothing the client could see of the report: the marks are gone from its headers
    assert not any(name.lower().startswith("x-cloudtwin") for name in latency.exchange["response"]["headers"])


def test_a_delay_past_the_clients_timeout_is_a_timeout(tmp_path: Path) -> None:
    result, target, _ = _run(tmp_path, 30000, "error: timeout")
    assert result.passed, [s.detail for s in result.steps]
    assert result.steps[2].real_ms >= target.timeout * 1000  # the client waited its whole timeout
    assert result.steps[3].outcome == "passed"  # a drip's pauses are short silences: no timeout


def test_a_delay_within_the_timeout_is_an_answer(tmp_path: Path) -> None:
    result, _, _ = _run(tmp_path, 29000, "error: timeout")
    assert not result.passed
    assert result.steps[2].exchange["response"]["status"] == 200


def test_a_running_virtual_clock_moves_on_by_the_delay(tmp_path: Path) -> None:
    result, _, _ = _run(tmp_path, 20000, "status: 200", setup="setup: {freeze: false}")
    assert result.passed, [s.detail for s in result.steps]
    assert result.steps[2].virtual_s >= 20
