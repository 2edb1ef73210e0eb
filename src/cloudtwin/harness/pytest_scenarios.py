"""Collect scenario YAML files as pytest items: one item per scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .report import text
from .runner import Runner, build_twin_target
from .scenario import ScenarioError, load


class ScenarioFile(pytest.File):
    def collect(self):  # type: ignore[no-untyped-def]
        try:
            scenario = load(Path(self.path))
        except ScenarioError as error:
            raise self.CollectError(str(error)) from None
        yield ScenarioItem.from_parent(self, name=scenario.name, scenario=scenario)


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        # Tags are keywords, so `pytest -k rate-limit` picks scenarios without registering marks.
        self.extra_keyword_matches.update(scenario.tags)

    def runtest(self) -> None:
        from .pytest_plugin import HTML_TIMELINES

        target = build_twin_target(self.scenario)
        timelines = self.config.stash.get(HTML_TIMELINES, None)  # --cloudtwin-html
        if timelines is not None:
            from .timeline import baseline, capture
            before = baseline(target)
        result = Runner(self.scenario, target).run()
        if timelines is not None:
            timelines.append(capture(result, target, before))
        if not result.passed:
            raise ScenarioFailed(text(result))

    def repr_failure(self, excinfo, style=None):  # type: ignore[no-untyped-def]
        if isinstance(excinfo.value, ScenarioFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):  # type: ignore[no-untyped-def]
        return self.path, 0, f"scenario: {self.scenario.name}"


class ScenarioFailed(Exception):
    pass


def collect(file_path: Path, parent: Any) -> ScenarioFile | None:
    if file_path.suffix == ".yaml":
        return ScenarioFile.from_parent(parent, path=file_path)
    return None
