"""The replay report: one self-contained HTML file, opened in a real headless browser.

`cloudtwin replay --html` and `pytest --cloudtwin-html` write it; Debian's chromium, driven
by Playwright, opens it from disk with the network cut and finds each resource's lane, the
request marks, the clock moves and the failed step with expected beside actual.
"""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterator

import pytest

from cloudtwin.cli import main
from cloudtwin.harness.runner import Runner, build_twin_target
from cloudtwin.harness.scenario import load
from cloudtwin.harness.timeline import baseline, capture

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

STORY = """\
name: an instance that should still be active after its delete
provider: genesis
seed: 11
steps:
  - fault: {match: {operation: listInstances}, schedule: {mode: first, n: 1}, action: {type: error, status: 503}}
  - request:
      method: POST
      path: /instances
      body: {name: trainer, hostname: trainer, type: vcpu-4_memory-16g_nvidia-rtx-3080-1, image: ubuntu-22.04,
             region: NORD-NO-KRS-1}
    expect: {status: 201}
    save: {id: instance.id}
  - request: {method: GET, path: /instances}
    expect: {status: 503}
  - wait_until:
      request: {method: GET, path: "/instances/${id}"}
      expect: {status: 200, body: {instance.status: active}}
      interval: 15s
  - advance: 2h
  - request: {method: DELETE, path: "/instances/${id}"}
    expect: {status: 204}
  - request: {method: GET, path: "/instances/${id}"}
    expect: {status: 200, body: {instance.status: active}}
"""

PASSING = """\
name: a volume is created and listed
provider: genesis
steps:
  - request: {method: POST, path: /volumes, body: {name: data, size: 10, region: NORD-NO-KRS-1}}
    expect: {status: 201}
  - advance: 1m
  - request: {method: GET, path: /volumes}
    expect: {status: 200, body: {volumes: {length: 1}}}
"""


@pytest.fixture
def stories(tmp_path: Path) -> Path:
    folder = tmp_path / "stories"
    folder.mkdir()
    (folder / "a-fails.yaml").write_text(STORY)
    (folder / "b-passes.yaml").write_text(PASSING)
    return folder


def test_the_timeline_holds_lanes_requests_faults_clock_moves_and_the_failed_step(stories: Path) -> None:
    scenario = load(stories / "a-fails.yaml")
    target = build_twin_target(scenario)
    before = baseline(target)
    data = capture(Runner(scenario, target).run(), target, before)

    assert [(lane["kind"], [s["state"] for s in lane["states"]]) for lane in data["lanes"]] == \
        [("instance", ["creating", "active", "deleting"])]  # the fixtures' images are no lane
    assert [r["status"] for r in data["requests"]] == [201, 503, 200, 200, 200, 200, 200, 204, 200]
    assert [r["fault"]["rule"] for r in data["requests"] if r["fault"]] == ["fault-1"]
    assert [(m["kind"], round(m["to"] - m["from"])) for m in data["clock"]] == [("advance", 15)] * 4 + [("advance", 7200)]
    failed = [s for s in data["steps"] if s["outcome"] == "failed"]
    assert [s["index"] for s in failed] == [7]
    assert failed[0]["mismatches"] == [{"where": "instance.status", "expected": "active", "actual": "deleting"}]
    assert data["requests"][-1]["step"] == 7 and data["requests"][0]["step"] == 2
    # The verdicts judge the same journal: the one 503 was not retried blindly, and the client worked again.
    faulted = next(r["seq"] for r in data["requests"] if r["status"] == 503)
    assert [(v["rule"], v["operation"], v["outcome"]) for v in data["verdicts"]["verdicts"]] == \
        [("bounded", "listInstances", "pass"), ("recovery", "listInstances", "pass")]
    assert all(faulted in v["evidence"] for v in data["verdicts"]["verdicts"])


class _Resources(HTMLParser):
    """Everything a page would fetch: src, href (but in-page anchors), stylesheet links."""

    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data") and value and not value.startswith("#"):
                self.fetched.append(f"{tag} {name}={value}")


def test_the_report_is_one_file_that_fetches_nothing(stories: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.html"
    assert main(["replay", str(stories), "--html", str(report)]) == 1
    assert f"replay report: {report}" in capsys.readouterr().out
    text = report.read_text(encoding="utf-8")
    parser = _Resources()
    parser.feed(text)
    assert parser.fetched == []
    assert "url(" not in text and "@import" not in text and "fetch(" not in text


# In a real browser -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright import sync_api as playwright_api
    except ImportError:
        pytest.fail("playwright is missing: pip install -e '.[test]' brings it")
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def report_page(browser: Any, stories: Path, tmp_path: Path) -> Iterator[Any]:
    report = tmp_path / "report.html"
    main(["replay", str(stories), "--html", str(report)])
    context = browser.new_context(offline=True, viewport={"width": 1300, "height": 900})
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(report.as_uri())
    page.requested = requested  # type: ignore[attr-defined]
    try:
        yield page
        assert errors == []  # its script ran without an error
        assert requested == [report.as_uri()]  # nothing but the file itself, though the network is cut
    finally:
        context.close()


def test_the_browser_finds_the_lanes_and_the_failed_step_beside_what_was_expected(report_page: Any) -> None:
    page = report_page
    assert page.locator("#summary").inner_text() == "2 scenarios: 1 passed, 1 failed"
    failed = page.locator("section.scenario.failed")
    lanes = failed.locator("svg [data-lane]")
    assert lanes.count() == 1
    assert lanes.first.get_attribute("data-lane").startswith("genesis/instance/")
    states = lanes.first.locator("g.state")
    assert [states.nth(i).get_attribute("data-state") for i in range(states.count())] == \
        ["creating", "active", "deleting"]
    assert failed.locator("svg g.request").count() == 9
    assert failed.locator('svg g.request[data-status="503"]').count() == 1
    assert failed.locator("svg g.fault").count() == 1 and failed.locator("svg g.clock").count() == 5
    assert failed.locator("svg .failed-ring").count() == 1
    assert failed.locator("svg .failed-label").text_content() == "✗ step 7"

    step = failed.locator("li.step.failed")
    assert step.is_visible() and step.get_attribute("data-step") == "7"
    row = step.locator("table.diff tbody tr")
    assert [row.locator("td").nth(i).inner_text() for i in range(3)] == ["instance.status", "active", "deleting"]
    assert '"instance.status": "active"' in step.locator(".side-by-side .expected pre").inner_text()
    assert '"status": "deleting"' in step.locator(".side-by-side .actual pre").inner_text()

    verdicts = failed.locator(".verdicts tr.verdict")
    assert [verdicts.nth(i).locator("td").nth(1).inner_text() for i in range(verdicts.count())] == ["bounded", "recovery"]
    assert "2 pass, 0 warn, 0 fail" in failed.locator(".verdicts h4").inner_text()


def test_clicking_a_mark_shows_its_request_and_the_index_opens_a_closed_scenario(report_page: Any) -> None:
    page = report_page
    failed = page.locator("section.scenario.failed")
    failed.locator('svg g.request[data-status="503"]').click()
    detail = failed.locator(".detail pre").inner_text()
    assert '"operation": "listInstances"' in detail and '"rule": "fault-1"' in detail
    assert failed.locator("svg g.request.dim").count() == 8  # the other steps' requests fade

    failed.locator("svg [data-lane]").first.click()
    assert '"state": "deleting"' in failed.locator(".detail pre").inner_text()

    passed = page.locator("section.scenario.passed")
    assert not passed.locator("svg").is_visible()
    page.locator("ol.index a", has_text="a volume is created and listed").click()
    assert passed.locator("svg [data-lane]").first.is_visible()
    assert passed.locator("svg g.clock .clock-label").text_content() == "+1m"


def test_pytest_writes_the_report_for_collected_scenarios(stories: Path, tmp_path: Path) -> None:
    report = tmp_path / "collected.html"
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
                             str(stories), "--rootdir", str(stories), "--cloudtwin-html", str(report)],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr  # the failing story fails the run
    assert f"cloudtwin replay report: {report} (2 scenarios)" in result.stdout
    text = report.read_text(encoding="utf-8")
    assert "2 scenarios: 1 passed, 1 failed" in text and 'data-lane="genesis/instance/' in text
    assert "✗ step 7" in text


def test_against_an_endpoint_the_report_draws_the_steps_requests(stories: Path, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from cloudtwin.harness.handle import ServedTwin

    served = ServedTwin(["genesis"], seed=3)
    report = tmp_path / "remote.html"
    try:
        code = main(["replay", str(stories / "b-passes.yaml"), "--base-url", served.base_url("genesis"),
                     "--token", "gc-default-0000000000000000000000", "--skip-twin-steps", "--html", str(report)])
    finally:
        served.close()
    assert code == 0 and f"replay report: {report}" in capsys.readouterr().out
    text = report.read_text(encoding="utf-8")
    assert "not run on an in-process twin" in text and "Wall-clock time starts at" in text
    assert text.count('class="mark request"') == 2 and 'data-status="201"' in text and "data-lane" not in text
