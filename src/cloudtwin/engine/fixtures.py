"""Seed data: `fixtures/accounts.yaml` and `fixtures/<provider>/*.yaml`.

A custom fixtures folder (`--fixtures`) and a scenario's `setup` are overlays: their
values are merged into the defaults, so an override names only what it changes.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Iterable, Mapping

from .yamlio import YamlFileError, load_copy


class FixtureError(ValueError):
    """A fixtures folder or file the twin cannot start from, named with its line where there is one."""


def check_overlay(root: Path, known: Iterable[str]) -> None:
    """A user's fixtures folder holds `accounts.yaml` and one folder per provider: a folder
    named after no provider (`genesiss/`) would be ignored in silence, so it is refused."""
    if not root.is_dir():
        raise FixtureError(f"{root}: no such fixtures folder")
    names = sorted(known)
    for child in sorted(root.iterdir()):
        if child.is_dir() and child.name not in names and not child.name.startswith("."):
            raise FixtureError(f"{child}: no provider is called {child.name!r} "
                               f"(a fixtures folder has one folder per provider: {', '.join(names)})")


def _load(path: Path) -> Any:
    try:
        return load_copy(path)
    except YamlFileError as error:
        raise FixtureError(str(error)) from None


def load_folder(root: Path, providers: Iterable[str]) -> dict[str, Any]:
    """{"accounts": [...], "<provider>": {"<file stem>": data, ...}, ...} from *.yaml and *.json."""
    data: dict[str, Any] = {}
    accounts_file = root / "accounts.yaml"
    if accounts_file.is_file():
        document = _load(accounts_file) or {}
        if not isinstance(document, dict) or not isinstance(document.get("accounts", []), list):
            raise FixtureError(f"{accounts_file}:1: expected a mapping with a list under `accounts:`")
        data["accounts"] = document.get("accounts", [])
    for provider in providers:
        folder = root / provider
        files: dict[str, Any] = {}
        if folder.is_dir():
            # JSON is YAML too: served documents (e.g. JSON schemas) can live beside the seeds.
            for path in sorted([*folder.rglob("*.yaml"), *folder.rglob("*.json")]):
                key = path.relative_to(folder).with_suffix("").as_posix()
                files[key] = _load(path)
        data[provider] = files
    return data


def merge(base: Any, overlay: Any) -> Any:
    """Deep-merge mappings; lists and scalars in the overlay replace the base's."""
    if isinstance(base, Mapping) and isinstance(overlay, Mapping):
        out = dict(base)
        for key, value in overlay.items():
            out[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(overlay)
