"""The engine and the harness name no provider in their code (comments and docstrings may give
examples): whatever they know of one, the provider's package hands them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cloudtwin
from cloudtwin.providers import KNOWN

ROOT = Path(cloudtwin.__file__).parent


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


@pytest.mark.parametrize("package", ["engine", "harness"])
def test_no_string_in_the_code_names_a_provider(package: str) -> None:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                found += [f"{path.relative_to(ROOT)}:{node.lineno} {name}" for name in KNOWN
                          if name in node.value.lower()]
    assert found == []
