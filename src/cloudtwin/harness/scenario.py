"""The scenario model: load a YAML file, check it against the shipped JSON Schema, and
say what is wrong with file, line and step before anything runs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import yaml

from ..engine.yamlio import Loader

SCHEMA_PATH = Path(__file__).with_name("scenario.schema.json")
STEP_KINDS = ("request", "advance", "set", "freeze", "fault", "faults", "wait_until", "expect_journal", "action",
              "expect_verdict")
TWIN_ONLY = frozenset({"advance", "set", "freeze", "fault", "faults", "expect_journal", "action", "expect_verdict"})
SCENARIO_SUFFIXES = (".yaml", ".yml")


class ScenarioError(Exception):
    """A malformed scenario, reported as `file:line: step N: message`."""


@dataclass
class Step:
    index: int
    line: int
    kind: str
    spec: dict[str, Any]

    @property
    def title(self) -> str:
        return str(self.spec.get("name") or _describe(self.kind, self.spec))

    @property
    def twin_only(self) -> bool:
        return self.kind in TWIN_ONLY


@dataclass
class Scenario:
    path: Path
    name: str
    provider: str
    description: str
    seed: int | str
    tags: list[str]
    vars: dict[str, Any]
    setup: dict[str, Any]
    steps: list[Step] = field(default_factory=list)


def load(path: Path) -> Scenario:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read the scenario: {exc}") from None
    try:
        node, document = _parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise ScenarioError(f"{path}:{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if node is None or not isinstance(document, dict):
        raise ScenarioError(f"{path}:1: a scenario is a mapping with name, provider and steps")
    errors = [] if _quickly_valid(document) else sorted(_validator().iter_errors(document),
                                                        key=lambda e: list(e.absolute_path))
    if errors:
        error = _most_specific(errors[0])
        where = list(error.absolute_path)
        line = _line_of(node, where)
        step = f" step {int(where[1]) + 1}:" if len(where) >= 2 and where[0] == "steps" else ""
        raise ScenarioError(f"{path}:{line}:{step} {_explain(error)}")
    _check_provider(path, node, document["provider"])
    steps_node = _child(node, "steps")
    assert steps_node is not None  # the schema check above requires `steps`
    steps = []
    for index, (raw, step_node) in enumerate(zip(document["steps"], steps_node.value)):
        kind = next(k for k in STEP_KINDS if k in raw)
        steps.append(Step(index + 1, step_node.start_mark.line + 1, kind, raw))
    return Scenario(
        path=path, name=document["name"], provider=document["provider"],
        description=document.get("description", ""), seed=document.get("seed", 0),
        tags=list(document.get("tags", [])), vars=dict(document.get("vars", {})),
        setup=dict(document.get("setup", {})), steps=steps,
    )


def _check_provider(path: Path, node: yaml.Node, provider: str) -> None:
    from ..providers import KNOWN

    if provider not in KNOWN:
        raise ScenarioError(f"{path}:{_line_of(node, ['provider'])}: provider: {provider!r} is not a provider "
                            f"(known: {', '.join(KNOWN)})")


def discover(paths: list[Path]) -> list[Path]:
    """The scenario files the paths name: a file as given, a folder's *.yaml and *.yml (recursively).
    A path that does not exist, or a folder holding none, is a ScenarioError: 0 scenarios is no pass."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.suffix in SCENARIO_SUFFIXES and p.is_file())
            if not inside:
                raise ScenarioError(f"{path}: no scenario files (*.yaml) in this folder")
            found.extend(inside)
        elif path.exists():
            found.append(path)
        else:
            raise ScenarioError(f"{path}: no such file or folder")
    return found


def _parse(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the document built from that same tree: one parse,
    by libyaml where PyYAML has it (two pure-Python parses were most of a replay's load)."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


_SCHEMA: dict[str, Any] | None = None
_VALIDATOR: jsonschema.Draft202012Validator | None = None


def _schema() -> dict[str, Any]:
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return _SCHEMA


_QUICK: Any = None


def _quickly_valid(document: Any) -> bool:
    """The compiled (Rust) check of the same schema: a valid file, the usual case, is done with
    it; anything else (or a value it cannot read, such as a YAML date) goes to `_validator`,
    whose errors say where. The Python validator spent most of its time building the errors
    of every `oneOf` step branch that did not match, for a file that then passed."""
    global _QUICK
    if _QUICK is None:
        _QUICK = jsonschema_rs.validator_for(_schema(), validate_formats=True)
    try:
        return bool(_QUICK.is_valid(document))
    except (ValueError, TypeError):
        return False


def _validator() -> jsonschema.Draft202012Validator:
    """One validator per process: it keeps what it resolved of the schema between files."""
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = jsonschema.Draft202012Validator(_schema(), format_checker=jsonschema.FormatChecker())
    return _VALIDATOR


def _most_specific(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For a step that matches no `oneOf` branch, the deepest reason is the useful one."""
    if error.context:
        deepest = max(error.context, key=lambda e: len(list(e.absolute_path)))
        if len(list(deepest.absolute_path)) > len(list(error.absolute_path)):
            return _most_specific(deepest)
    return error


def _explain(error: jsonschema.ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "oneOf" and where.startswith("steps"):
        return f"a step needs exactly one of: {', '.join(STEP_KINDS)}"
    return f"{where or 'scenario'}: {error.message}"


def _child(node: yaml.Node, key: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def _line_of(node: yaml.Node, where: list[Any]) -> int:
    current = node
    line = node.start_mark.line + 1
    for key in where:
        child = _child(current, key)
        if child is None:
            break
        current = child
        line = child.start_mark.line + 1
    return line


def _describe(kind: str, spec: dict[str, Any]) -> str:
    value = spec[kind]
    if kind in ("request",):
        return f"{value['method']} {value['path']}"
    if kind == "wait_until":
        return f"wait until {value['request']['method']} {value['request']['path']} matches"
    if kind == "fault":
        return f"fault {json.dumps(value.get('action', {}), sort_keys=True)}"
    return f"{kind} {value if not isinstance(value, dict) else json.dumps(value, sort_keys=True)}"
