"""Fixture rows checked against the schema of the resource they seed.

A spec declares which fixture rows it serves (`x-cloudtwin.fixtures`), so the check needs no
knowledge of any provider:

    x-cloudtwin:
      fixtures:
        - file: genesis/images.yaml        # relative to a fixtures folder
          rows: /images                    # JSON pointer to a list (or a mapping) of rows
          schema: "#/components/schemas/Image"
          served_with: [created_at]        # fields the twin adds when it serves a row
          twin_only: [accelerators]        # fields the twin reads and never serves

A row must satisfy the schema (less `served_with` in `required`) and hold only documented fields:
a row with a stray key (YAML's `{name: Ubuntu ML (NVIDIA, PyTorch)}` is a mapping with a key
`PyTorch)`) could not be served as the documented resource, so it is refused with its file and line.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import yaml

from .spec import Spec


class FixtureSchemaError(ValueError):
    """A fixture row that could not be served as the resource it seeds."""


@dataclass(frozen=True)
class FixtureSeed:
    file: str
    rows: str
    schema: str
    served_with: tuple[str, ...] = ()
    twin_only: tuple[str, ...] = ()

    @property
    def provider(self) -> str:
        return self.file.split("/", 1)[0]

    @property
    def key(self) -> str:
        """The file's key among its provider's fixtures (`images` for genesis/images.yaml)."""
        return self.file.split("/", 1)[1].rsplit(".", 1)[0]


@dataclass(frozen=True)
class Problem:
    file: str  # as declared, e.g. genesis/catalog.yaml
    pointer: list[str]  # within the file
    message: str
    row_depth: int = 0  # how many leading parts of `pointer` name the row


def seeds_of(document: Mapping[str, Any]) -> list[FixtureSeed]:
    declared = ((document.get("x-cloudtwin") or {}).get("fixtures")) or []
    return [FixtureSeed(file=str(d["file"]), rows=str(d.get("rows", "")), schema=str(d["schema"]),
                        served_with=tuple(d.get("served_with") or ()), twin_only=tuple(d.get("twin_only") or ()))
            for d in declared]


def _parts(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("#").split("/") if p != ""]


def _at(node: Any, parts: Iterable[str]) -> Any:
    for part in parts:
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _rows(data: Any, seed: FixtureSeed) -> Iterator[tuple[list[str], Any]]:
    parts = _parts(seed.rows)
    rows = _at(data, parts)
    if isinstance(rows, list):
        for i, row in enumerate(rows):
            yield parts + [str(i)], row
    elif isinstance(rows, Mapping):
        for key, row in rows.items():
            yield parts + [str(key)], row


_validators: dict[tuple[str, str, tuple[str, ...]], Any] = {}
_lock = threading.Lock()


def _schema(spec: Spec, seed: FixtureSeed) -> Mapping[str, Any]:
    node = spec.resolve(_at(spec.document, _parts(seed.schema)))  # a pointer may run through lists (allOf/1)
    if not isinstance(node, Mapping):
        raise FixtureSchemaError(f"{spec.path}: x-cloudtwin.fixtures: no schema at {seed.schema}")
    return node


def _validator(spec: Spec, seed: FixtureSeed) -> Any:
    key = (str(spec.path), seed.schema, seed.served_with)
    with _lock:
        if key not in _validators:
            schema = dict(_schema(spec, seed))
            if seed.served_with and isinstance(schema.get("required"), list):
                schema["required"] = [r for r in schema["required"] if r not in seed.served_with]
            _validators[key] = spec.compile(schema)
        return _validators[key]


def check_rows(spec: Spec, seed: FixtureSeed, data: Any) -> list[Problem]:
    """Every problem of the rows `seed` declares within one fixture file's data."""
    problems: list[Problem] = []
    schema = _schema(spec, seed)
    validator = _validator(spec, seed)
    for pointer, row in _rows(data, seed):
        if isinstance(row, Mapping):
            row = {k: v for k, v in row.items() if k not in seed.twin_only}
        error = next(iter(validator.iter_errors(row)), None)
        if error is not None:
            inner = [str(p) for p in error.instance_path]
            problems.append(Problem(seed.file, pointer + inner, f"not a valid {_name(seed.schema)}: {error.message}",
                                    len(pointer)))
            continue
        for inner, field in _undocumented(spec, schema, row, []):
            problems.append(Problem(seed.file, pointer + inner,
                                    f"field {field!r} is not documented in {_name(seed.schema)}", len(pointer)))
    return problems


def _name(pointer: str) -> str:
    """`Image` for a component, `GET /catalog response item` for a schema inside an operation."""
    parts = _parts(pointer)
    if len(parts) >= 3 and parts[0] == "components":
        return parts[2]
    if len(parts) >= 3 and parts[0] == "paths":
        return f"{parts[2].upper()} {parts[1]} response item"
    return "row"


def _undocumented(spec: Spec, schema: Any, value: Any, at: list[str]) -> Iterator[tuple[list[str], str]]:
    """Keys of `value` its schema does not document (where the schema does not allow others)."""
    schema = spec.resolve(schema)
    if not isinstance(schema, Mapping):
        return
    if isinstance(value, Mapping):
        properties: dict[str, Any] = {}
        open_ended = False
        for part in [schema, *[spec.resolve(s) for s in schema.get("allOf", []) or []]]:
            if not isinstance(part, Mapping):
                continue
            properties.update(part.get("properties") or {})
            if part.get("additionalProperties", None) not in (None, False) or part.get("patternProperties"):
                open_ended = True
        for combinator in ("oneOf", "anyOf"):
            for option in schema.get(combinator, []) or []:
                option = spec.resolve(option)
                if isinstance(option, Mapping):
                    properties.update(option.get("properties") or {})
                    open_ended = open_ended or not option.get("properties")
        if not properties:
            return  # a free-form object: anything goes
        for key, item in value.items():
            if key in properties:
                yield from _undocumented(spec, properties[key], item, at + [str(key)])
            elif not open_ended:
                yield at, str(key)
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for i, item in enumerate(value):
            yield from _undocumented(spec, schema["items"], item, at + [str(i)])


def line_of(path: Path, pointer: list[str]) -> int | None:
    """The 1-based line of the node at `pointer` in a YAML file (the nearest existing ancestor)."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for part in pointer:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
            if child is None:  # a stray key is reported where the key itself stands
                key = next((k for k, _ in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
                return key.start_mark.line + 1 if key is not None else line
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            child = node.value[int(part)]
        if child is None:
            return line
        node, line = child, child.start_mark.line + 1
    return line


def describe(problem: Problem, roots: Iterable[Path], row: Any = None) -> str:
    """`<file>:<line>: <where>: <what>`, the file being the first root whose row is the one checked
    (`row`: the merged row; None trusts the first file holding it). A row no file holds as checked
    came from overrides (e.g. a scenario's setup)."""
    for root in roots:
        path = root / problem.file
        if not path.is_file():
            continue
        held = _at(_load(path), problem.pointer[:problem.row_depth or len(problem.pointer)])
        if held is not None and (row is None or held == row):
            line = line_of(path, problem.pointer)
            return f"{path}:{line}: {'/'.join(problem.pointer)}: {problem.message}"
    return f"{problem.file} (as overridden): {'/'.join(problem.pointer)}: {problem.message}"


def _load(path: Path) -> Any:
    from .yamlio import load_shared

    try:
        return load_shared(path)
    except (OSError, yaml.YAMLError):
        return None


def check_fixtures(specs: Iterable[Spec], fixtures: Mapping[str, Any], roots: list[Path]) -> None:
    """Raise FixtureSchemaError naming file and line for the first row that fails its schema.
    `fixtures` is the merged data ({provider: {key: data}}); `roots` the folders it came from,
    the one that wins first."""
    for spec in specs:
        for seed in seeds_of(spec.document):
            data = (fixtures.get(seed.provider) or {}).get(seed.key)
            if data is None:
                continue
            problems = check_rows(spec, seed, data)
            if problems:
                more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
                first = problems[0]
                row = _at(data, first.pointer[:first.row_depth])
                raise FixtureSchemaError(f"fixture {describe(first, roots, row)}{more}")
