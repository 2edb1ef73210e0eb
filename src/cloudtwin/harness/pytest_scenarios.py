"""Collect scenario YAML files as pytest items: one item per scenario."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest

from .report import text
from .runner import Runner, build_twin_target
from .scenario import SCENARIO_SUFFIXES, ScenarioError, load

# A scenario is a mapping with (at least) `provider:` and `steps:` at the top level.
_TOP_LEVEL_KEY = re.compile(r"^(provider|steps)\s*:", re.MULTILINE)


@dataclass(frozen=True)
class ScenarioFolders:
    """Where scenario files live: folders configured (ini option, flag), where every *.yaml is
    a scenario, and paths named on the command line, where only files that look like one are."""

    KEY: ClassVar[pytest.StashKey["ScenarioFolders"]] = pytest.StashKey()
    configured: tuple[Path, ...]
    from_flag: tuple[Path, ...]
    named: tuple[Path, ...]

    @classmethod
    def from_config(cls, config: pytest.Config) -> "ScenarioFolders":
        invoked = config.invocation_params.dir
        flag = tuple((invoked / p).resolve() for p in config.getoption("--cloudtwin-scenarios") or [])
        ini = tuple(Path(p).resolve() for p in config.getini("cloudtwin_scenarios"))
        # Only paths the user typed: not `testpaths` nor the current folder pytest falls back to.
        typed = config.args_source == pytest.Config.ArgsSource.ARGS
        named = tuple((invoked / arg.split("::")[0]).resolve() for arg in config.args) if typed else ()
        return cls(configured=ini + flag, from_flag=flag, named=named)

    def holds_scenario(self, path: Path) -> bool:
        if path.suffix not in SCENARIO_SUFFIXES:
            return False
        resolved = path.resolve()
        if any(resolved.is_relative_to(folder) for folder in self.configured):
            return True
        if resolved in self.named:
            return True  # a YAML file named on the command line is meant as a scenario
        return any(resolved.is_relative_to(p) for p in self.named if p.is_dir()) and _looks_like_scenario(path)


def _looks_like_scenario(path: Path) -> bool:
    try:
        keys = set(_TOP_LEVEL_KEY.findall(path.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return False
    return keys == {"provider", "steps"}


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
    if file_path.suffix in SCENARIO_SUFFIXES:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None
