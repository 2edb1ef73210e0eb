"""A scenario's step or request may name its provider; every provider shares the one clock."""

from __future__ import annotations

from pathlib import Path

from cloudtwin.harness.runner import Runner, build_twin_target
from cloudtwin.harness.scenario import load


def run(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "s.yaml"
    path.write_text(text)
    scenario = load(path)
    return Runner(scenario, build_twin_target(scenario)).run()


def test_a_request_names_its_provider_and_the_clock_it_moves_is_shared(tmp_path: Path) -> None:
    result = run(tmp_path, """
name: two providers
provider: barrack
setup: {freeze: "2026-03-02T10:00:00Z"}
steps:
  - request: {provider: genesis, method: POST, path: /volumes, body: {name: v, size: 10, region: NORD-NO-KRS-1}}
    expect: {status: 201}
    save: {volume: volume.id}
  - request: {method: POST, path: /ssh-keys/, body: {name: k}}
    expect: {status: 201}
  - advance: 10s
  - provider: genesis
    request: {method: GET, path: "/volumes/${volume}"}
    expect: {status: 200, body: {volume.status: created}}
""")
    assert result.passed, [(s.detail, [str(m) for m in s.mismatches]) for s in result.steps]


def test_an_unknown_provider_fails_its_step_in_one_line(tmp_path: Path) -> None:
    result = run(tmp_path, """
name: bad provider
provider: barrack
steps:
  - provider: nosuch
    request: {method: GET, path: /x}
""")
    assert not result.passed and "no provider 'nosuch'" in result.steps[0].detail
